#ifndef MARTHE_TARGET_CUDA_CUDATARGET_H
#define MARTHE_TARGET_CUDA_CUDATARGET_H

// The CUDA target: loop nests as kernels through MLIR's GPU path (NVVM, then
// a fatbin with a cubin per chip and PTX), GEMMs and the cross-entropy kernels as
// calls of the CUDA runtime; target/common writes the host object.

#include "target/common/Target.h"

#include "mlir/Pass/PassManager.h"

#include <optional>
#include <string>
#include <vector>

namespace marthe {

#define GEN_PASS_DECL
#include "target/cuda/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "target/cuda/Passes.h.inc"

/// The GPUs a trainer carries cubins for by default: A100, A10/RTX 30xx,
/// L4/L40S/RTX 40xx and H100/H200; newer ones JIT-compile the PTX.
inline const std::vector<std::string> kDefaultGpuChips = {"sm_80", "sm_86", "sm_89", "sm_90"};

struct CudaLoweringOptions {
  /// The cubins' architectures; the PTX is for the lowest of them.
  std::vector<std::string> chips = kDefaultGpuChips;
  /// The CUDA toolkit whose ptxas and fatbinary build the binary.
  std::string toolkit;
  /// fatbin (a cubin per chip + PTX), bin (one cubin for the lowest chip) or
  /// isa (PTX only, for inspection).
  std::string format = "fatbin";
};

/// The number NN of a GPU architecture "sm_NN", or nothing for another name.
std::optional<unsigned> gpuChipNumber(llvm::StringRef chip);

/// The lowest NN among the names "sm_NN" of `chips`, or nothing if none is one.
std::optional<unsigned> lowestGpuChip(llvm::ArrayRef<std::string> chips);

/// From planned buffers to the LLVM dialect with the kernels in a gpu.binary.
void buildCudaLoweringPipeline(mlir::OpPassManager &pm, const CudaLoweringOptions &options);

/// Registers the CUDA passes and the `marthe-cuda-lowering` pipeline.
void registerCudaTargetPasses();

/// The registry additions the CUDA pipeline needs (the NVVM target).
void registerCudaTargetInterfaces(mlir::DialectRegistry &registry);

} // namespace marthe

#endif // MARTHE_TARGET_CUDA_CUDATARGET_H
