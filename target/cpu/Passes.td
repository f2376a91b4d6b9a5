#ifndef MARTHE_TARGET_CPU_PASSES_TD
#define MARTHE_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CpuLowerLibraryCalls : Pass<"marthe-cpu-lower-library-calls", "mlir::ModuleOp"> {
  let summary = "Lower library-call ops on memrefs to calls of the CPU runtime's kernels";
  let description = [{
    Each `marthe.library.*` op becomes a call of an external C function of the
    runtime (`runtime/Kernels.h`): GEMMs go to BLAS (`marthe_rt_gemm_f32`),
    the cross-entropy kernels to `marthe_rt_softmax_xent*_<type>`. Buffers are
    passed as pointers, shapes as i64 and transposes as i32.

    Before:
    ```mlir
    marthe.library.gemm ins(%x, %w : memref<2x3xf32>, memref<4x3xf32>) outs(%y : memref<2x4xf32>) {transpose_rhs}
    ```
    After:
    ```mlir
    %px = ... llvm.inttoptr of memref.extract_aligned_pointer_as_index %x
    func.call @marthe_rt_gemm_f32(%px, %pw, %py, %c2, %c4, %c3, %false, %true)
        : (!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, i32, i32) -> ()
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect"];
}

#endif // MARTHE_TARGET_CPU_PASSES_TD
