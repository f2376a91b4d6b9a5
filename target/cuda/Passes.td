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
    A sum of at least `block-sum-minimum` terms per output element (the
    per-channel statistics of BatchNormalization, a convolution's bias
    gradient: 8-32 outputs of 20k-78k terms each) gets one block per output
    element instead: each thread accumulates a strided share of the terms,
    `gpu.all_reduce` adds the block's shares in a fixed order, and thread 0
    adds that to the output's initial value.
    The loop bodies are the generic's own body, evaluated at each iteration:
    the same arithmetic the CPU target runs, with the outputs kept in
    registers across the reduction loops (loaded once, or taken from a fill
    just before, and stored once). Afterwards no op of the host code may read
    or write a buffer except launches and library calls: buffers are device
    memory.
  }];
  let options = [
    Option<"threadsPerBlock", "threads", "int64_t", /*default=*/"256", "threads per block">,
    Option<"blockSumMinimum", "block-sum-minimum", "int64_t", /*default=*/"1024",
           "sums of at least this many terms per output element get a block each">
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
    Replaces every `gpu.launch` by `scf.for` loops over its blocks and
    threads that run its body, so that the kernels
    `marthe-gpu-split-reductions` and `marthe-gpu-map-loop-nests` build can
    run on the CPU, through `marthe-cpu-lowering`, and be compared with the
    CPU target's loop nests (`test/Codegen/gpu-mapping-on-cpu.test`). Threads
    may communicate through block sums only (top-level `gpu.all_reduce add`,
    with no memory written before the last one): each sum takes one more
    pass over the block's threads, which run the body up to it and add their
    terms in thread order. Barriers and shuffles are refused. Not part of any
    pipeline.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def GpuPackFatbin : Pass<"marthe-gpu-pack-fatbin", "mlir::ModuleOp"> {
  let summary = "Compile each gpu.binary's PTX for several GPUs into one fatbin";
  let description = [{
    MLIR's `gpu-module-to-binary` builds a fatbin for one chip, and a
    `gpu.binary` of several objects embeds only the one its offloading
    handler selects when the host code is translated. This pass takes each
    `gpu.binary` holding one NVVM `assembly` object (PTX, from
    `gpu-module-to-binary{format=isa}`) and replaces it by one `fatbin`
    object: a cubin from the toolkit's `ptxas` for every chip of `chips`, and
    the PTX itself, which the driver compiles for GPUs newer than them all.
    The driver picks the cubin of the GPU it runs on when the module loads.
    The PTX's `.target` must be the lowest of the chips (the pipeline attaches
    that one), since ptxas compiles PTX for its own target and newer ones only.
  }];
  let options = [
    ListOption<"chips", "chips", "std::string", "the GPU architectures of the cubins (sm_NN)">,
    Option<"toolkit", "toolkit", "std::string", /*default=*/"\"\"",
           "the CUDA toolkit whose bin/ holds ptxas and fatbinary (else PATH)">
  ];
}

#endif // MARTHE_TARGET_CUDA_PASSES_TD
