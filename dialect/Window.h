#ifndef MARTHE_DIALECT_WINDOW_H
#define MARTHE_DIALECT_WINDOW_H

// The geometry of a 2-D sliding window (convolution, pooling) over the last two
// dimensions of [N, C, H, W]: shared by the window ops' verifiers, the importer
// and the lowering to runtime kernels.

#include "mlir/IR/Operation.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace marthe {

struct Window2d {
  int64_t kernel[2] = {1, 1};
  int64_t strides[2] = {1, 1};
  int64_t pads[4] = {0, 0, 0, 0}; // top, left, bottom, right
  int64_t dilations[2] = {1, 1};

  /// The span of the window along `axis` (0: height, 1: width).
  int64_t extent(int axis) const { return dilations[axis] * (kernel[axis] - 1) + 1; }

  /// The number of window positions along `axis` over an input of `size`;
  /// 0 when the window does not fit.
  int64_t outputSize(int axis, int64_t size) const {
    int64_t span = size + pads[axis] + pads[axis + 2] - extent(axis);
    return span < 0 ? 0 : span / strides[axis] + 1;
  }

  /// Reads strides, pads and dilations (and the kernel, if given) from an
  /// op's attributes; emits an error on `op` when one is malformed.
  static mlir::FailureOr<Window2d> fromAttributes(mlir::Operation *op,
                                                  llvm::ArrayRef<int64_t> kernel);
};

/// Checks a convolution's input [N, C, H, W], filter [K, C/groups, R, S] and
/// output [N, K, P, Q] against the op's geometry attributes.
mlir::LogicalResult verifyConvShapes(mlir::Operation *op, llvm::ArrayRef<int64_t> input,
                                     llvm::ArrayRef<int64_t> filter,
                                     llvm::ArrayRef<int64_t> output);

/// Checks a pooling's input [N, C, H, W] and output [N, C, P, Q].
mlir::LogicalResult verifyPoolShapes(mlir::Operation *op, llvm::ArrayRef<int64_t> input,
                                     llvm::ArrayRef<int64_t> output);

} // namespace marthe

#endif // MARTHE_DIALECT_WINDOW_H
