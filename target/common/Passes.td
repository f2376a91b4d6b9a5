#ifndef MARTHE_TARGET_COMMON_PASSES_TD
#define MARTHE_TARGET_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerLibraryCallsToRuntime : Pass<"marthe-lower-library-calls-to-runtime", "mlir::ModuleOp"> {
  let summary = "Lower library-call ops on memrefs to calls of a target runtime's kernels";
  let description = [{
    Each `marthe.library.*` op becomes a call of an external C function of the
    target's runtime: `marthe_rt_*` on the CPU (`runtime/Kernels.h`: BLAS
    GEMMs, cross-entropy loops), `marthe_cuda_*` on CUDA
    (`runtime/cuda/CudaKernels.h`: cuBLAS GEMMs on the runtime's stream, the
    cross-entropy kernels). Buffers are passed as pointers, shapes as i64 and
    transposes as i32; the element type is the suffix (`_f32`, `_f64`).

    Before:
    ```mlir
    marthe.library.gemm ins(%x, %w : memref<2x3xf32>, memref<4x3xf32>) outs(%y : memref<2x4xf32>) {transpose_rhs}
    ```
    After (`runtime=cpu`):
    ```mlir
    %px = ... llvm.inttoptr of memref.extract_aligned_pointer_as_index %x
    func.call @marthe_rt_gemm_f32(%px, %pw, %py, %c2, %c4, %c3, %false, %true)
        : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, i32, i32) -> ()
    ```
  }];
  let options = [
    Option<"runtime", "runtime", "std::string", /*default=*/"\"cpu\"",
           "the runtime whose kernels are called: cpu (marthe_rt_*) or cuda (marthe_cuda_*)">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect"];
}

#endif // MARTHE_TARGET_COMMON_PASSES_TD
