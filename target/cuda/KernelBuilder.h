#ifndef MARTHE_TARGET_CUDA_KERNELBUILDER_H
#define MARTHE_TARGET_CUDA_KERNELBUILDER_H

// Building kernels from linalg.generic loop nests: 1-D launches over
// statically sized iteration spaces, and the generic's body evaluated at
// given loop indices with its outputs carried in registers.

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

#include <optional>

namespace marthe {

/// A launch of `blocks` x `threads` (x only) at the builder's position, with
/// the builder left at the start of its body, which ends in gpu.terminator.
mlir::gpu::LaunchOp createLaunch(mlir::OpBuilder &builder, mlir::Location loc, int64_t blocks,
                                 int64_t threads);

/// blockIdx.x * threads + threadIdx.x of `launch`, built in its body.
mlir::Value globalThreadId(mlir::OpBuilder &builder, mlir::gpu::LaunchOp launch,
                           int64_t threads);

/// The row-major indices of `linear` in an iteration space of `sizes`.
llvm::SmallVector<mlir::Value> delinearize(mlir::OpBuilder &builder, mlir::Location loc,
                                           mlir::Value linear, llvm::ArrayRef<int64_t> sizes);

/// The element of `operand` (an input or init of `op`) at the loop indices;
/// a scalar operand itself.
mlir::Value loadOperand(mlir::OpBuilder &builder, mlir::Location loc, mlir::linalg::GenericOp op,
                        mlir::OpOperand &operand, mlir::ValueRange indices);

/// Stores `value` to the element of init `operand` at the loop indices.
void storeOperand(mlir::OpBuilder &builder, mlir::Location loc, mlir::linalg::GenericOp op,
                  mlir::OpOperand &operand, mlir::Value value, mlir::ValueRange indices);

/// The body of `op` at the loop indices, its output arguments bound to
/// `outputs`; returns the yielded values.
llvm::SmallVector<mlir::Value> evaluateBody(mlir::OpBuilder &builder, mlir::Location loc,
                                            mlir::linalg::GenericOp op, mlir::ValueRange indices,
                                            mlir::ValueRange outputs);

/// Whether every output `out` of `op` is a float updated as `addf(x, out)`
/// (or `addf(out, x)`) and used nowhere else: a sum whose terms threads can
/// add up in any grouping.
bool sumsIntoOutputs(mlir::linalg::GenericOp op);

/// A zero of each of `types` (floats).
llvm::SmallVector<mlir::Value> zerosOf(mlir::OpBuilder &builder, mlir::Location loc,
                                       mlir::TypeRange types);

/// Each value summed over the threads of the block (gpu.all_reduce add).
llvm::SmallVector<mlir::Value> blockSums(mlir::OpBuilder &builder, mlir::Location loc,
                                         mlir::ValueRange values);

/// `if (threadIdx.x == 0) body()` inside `launch`.
void inFirstThread(mlir::OpBuilder &builder, mlir::gpu::LaunchOp launch,
                   llvm::function_ref<void()> body);

/// The number of iterations of a loop nest of these sizes.
int64_t product(llvm::ArrayRef<int64_t> sizes);

/// takeFill of each output of `op`, in order.
llvm::SmallVector<std::optional<mlir::Value>> takeFills(mlir::linalg::GenericOp op);

/// The value of a `linalg.fill` of `init` that only `op` reads: a fill among
/// the ops just before `op` (with only other fills and ops that touch no
/// memory between) of a constant, where `op` does not also read `init` as an
/// input. The fill is erased; `op`, which overwrites all of `init`, takes
/// the fill value as its initial value instead of a load.
std::optional<mlir::Value> takeFill(mlir::linalg::GenericOp op, mlir::Value init);

} // namespace marthe

#endif // MARTHE_TARGET_CUDA_KERNELBUILDER_H
