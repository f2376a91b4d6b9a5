#ifndef MARTHE_FRONTEND_SHAPEFOLDING_H
#define MARTHE_FRONTEND_SHAPEFOLDING_H

// Integer tensors the importer computes itself: the shape arithmetic that
// exporters emit around Reshape and Pad (x.view(x.size(0), -1), PyTorch's
// reflect padding) from Shape, Gather, Slice, Concat, ... of constants.

#include "frontend/NodeImport.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <vector>

namespace marthe {

/// Slice's selection along one axis: start, start + step, ... short of end,
/// clamped as ONNX says (a negative step walks backwards).
struct SliceRange {
  int64_t axis, start, end, step;
};
/// The ranges of a Slice of a tensor of `shape`; `bounds` are its starts,
/// ends and optional axes and steps (null when absent).
llvm::Expected<llvm::SmallVector<SliceRange>>
sliceRanges(ImportedNode node, llvm::ArrayRef<int64_t> shape,
            llvm::ArrayRef<const IntTensor *> bounds);

/// `node`'s output from its inputs, each an integer constant; Shape's input
/// is given by its shape alone (`inputs[0]` holds the shape, no values).
/// The ops it computes are those the registry marks IntegerFolding::Always
/// or WhenConstant (NodeImport.h).
llvm::Expected<IntTensor> foldIntegerNode(ImportedNode node,
                                          llvm::ArrayRef<const IntTensor *> inputs);

} // namespace marthe

#endif // MARTHE_FRONTEND_SHAPEFOLDING_H
