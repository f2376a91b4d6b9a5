#ifndef MARTHE_TARGET_CUDA_LAUNCH_H
#define MARTHE_TARGET_CUDA_LAUNCH_H

// Building 1-D gpu.launch ops over statically sized iteration spaces.

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace marthe {

/// A launch of `blocks` x `threads` (x only) at the builder's position, with
/// the builder left at the start of its body, which ends in gpu.terminator.
mlir::gpu::LaunchOp createLaunch(mlir::OpBuilder &builder, mlir::Location loc, int64_t blocks,
                                 int64_t threads);

/// blockIdx.x * blockDim.x + threadIdx.x of `launch`, built in its body.
mlir::Value globalThreadId(mlir::OpBuilder &builder, mlir::gpu::LaunchOp launch,
                           int64_t threads);

/// The row-major indices of `linear` in an iteration space of `sizes`.
llvm::SmallVector<mlir::Value> delinearize(mlir::OpBuilder &builder, mlir::Location loc,
                                           mlir::Value linear, llvm::ArrayRef<int64_t> sizes);

} // namespace marthe

#endif // MARTHE_TARGET_CUDA_LAUNCH_H
