#ifndef MARTHE_TARGET_CUDA_PASSES_TD
#define MARTHE_TARGET_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def GpuSplitReductions : Pass<"marthe-gpu-split-reductions", "mlir::ModuleOp"> {
  let summary = "Turn full reductions of planned functions into two-stage device reductions";
  let description = [{
    A `linalg.generic` whose loops all reduce into rank-0 outputs with
    `arith.addf` (the dot products ⟨Z′, e⟩, ⟨B, e⟩ and the loss sums of the
    training step) would be one device thread walking every element. It
    becomes two `gpu.launch`es instead: a grid of blocks, each thread
    accumulating a strided share of the elements with the op's own body,
    each block combining its threads with `gpu.all_reduce` into one partial
    sum; then one block adding the partials into the output. The partials
    live in scratch appended to the function's arena (reductions run one
    after another on one stream, so they share it), and the result does not
    depend on timing: the split and the order of every addition are fixed.
    Reductions with other combiners are left for `marthe-gpu-map-loop-nests`,
    which runs them in one thread; `linalg.index` bodies are not supported
    by either pass (nothing produces them).
  }];
  let options = [
    Option<"threadsPerBlock", "threads", "int64_t", /*default=*/"256", "threads per block">,
    Option<"maxBlocks", "max-blocks", "int64_t", /*default=*/"1024",
           "at most this many blocks (partial sums)">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def GpuMapLoopNests : Pass<"marthe-gpu-map-loop-nests", "mlir::ModuleOp"> {
  let summary = "Run every loop nest of planned functions as one gpu.launch";
  let description = [{
    Each top-level `linalg` op (a fused element-wise group, a `sum_to`, a fill,
    the schedule update) and each `memref.copy` becomes one `gpu.launch`: its
    parallel loops (moved outermost) are linearized over a 1-D grid, one
    thread per iteration, and its reduction loops run inside each thread.
    The loop bodies are the generic's own body, evaluated at each iteration:
    the same arithmetic the CPU target runs, with the outputs kept in
    registers across the reduction loops (loaded once, or taken from a fill
    just before, and stored once). Afterwards no op of the host code may read
    or write a buffer except launches and library calls: buffers are device
    memory.
  }];
  let options = [
    Option<"threadsPerBlock", "threads", "int64_t", /*default=*/"256", "threads per block">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect", "::mlir::linalg::LinalgDialect"];
}

def GpuMergeKernelModules : Pass<"marthe-gpu-merge-kernel-modules", "mlir::ModuleOp"> {
  let summary = "Move every outlined kernel into one gpu.module";
  let description = [{
    `gpu-kernel-outlining` gives each kernel a `gpu.module` of its own, which
    would make one PTX compilation, one embedded binary and one module load
    per kernel. This moves all kernels into the first module, named
    `marthe_kernels`, and points every `gpu.launch_func` at it.
  }];
}

def GpuStreamLaunches : Pass<"marthe-gpu-stream-launches", "mlir::ModuleOp"> {
  let summary = "Chain the launches of each function on the runtime's stream";
  let description = [{
    Each function with launches gets one `gpu.wait async` at its start (the
    runtime's `mgpuStreamCreate` hands out the stream the runtime works on)
    and every `gpu.launch_func` becomes `async`, depending on the previous
    one. Nothing waits at the end: the runtime's cuBLAS calls and copies are
    on the same stream, and the runtime synchronizes when it reads results.
  }];
}

def GpuLaunchesToLoops : Pass<"marthe-gpu-launches-to-loops", "mlir::ModuleOp"> {
  let summary = "Run each gpu.launch as host loops over its blocks and threads (a test of the GPU mapping on the CPU)";
  let description = [{
    Replaces every `gpu.launch` whose threads do not communicate (no
    `gpu.all_reduce`, barrier or shuffle) by `scf.for` loops over its blocks
    and threads that run its body, so that the kernels
    `marthe-gpu-map-loop-nests` builds can run on the CPU, through
    `marthe-cpu-lowering`, and be compared with the CPU target's loop nests
    (`test/Codegen/gpu-mapping-on-cpu.test`). Not part of any pipeline.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::arith::ArithDialect"];
}

#endif // MARTHE_TARGET_CUDA_PASSES_TD
