#ifndef MARTHE_TARGET_CUDA_CUDATARGET_H
#define MARTHE_TARGET_CUDA_CUDATARGET_H

// The CUDA target: loop nests as kernels through MLIR's GPU path (NVVM, then
// a fatbin with a cubin and PTX), GEMMs and the cross-entropy kernels as
// calls of the CUDA runtime; target/common writes the host object.

#include "target/common/Target.h"

#include "mlir/Pass/PassManager.h"

namespace marthe {

#define GEN_PASS_DECL
#include "target/cuda/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "target/cuda/Passes.h.inc"

struct CudaLoweringOptions {
  std::string chip = "sm_90";
  /// The CUDA toolkit whose ptxas and fatbinary build the binary.
  std::string toolkit;
  /// fatbin (cubin + PTX), bin (cubin) or isa (PTX only, for inspection).
  std::string format = "fatbin";
};

/// From planned buffers to the LLVM dialect with the kernels in a gpu.binary.
void buildCudaLoweringPipeline(mlir::OpPassManager &pm, const CudaLoweringOptions &options);

/// Registers the CUDA passes and the `marthe-cuda-lowering` pipeline.
void registerCudaTargetPasses();

/// The registry additions the CUDA pipeline needs (the NVVM target).
void registerCudaTargetInterfaces(mlir::DialectRegistry &registry);

} // namespace marthe

#endif // MARTHE_TARGET_CUDA_CUDATARGET_H
