// Shape ops on float tensors (Flatten, Reshape, Transpose, Concat, Slice),
// and the shape arithmetic the importer folds on integer constants
// (ShapeFolding.cpp).

#include "frontend/NodeImport.h"
#include "frontend/ShapeFolding.h"

#include "dialect/MartheOps.h"

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace marthe {
namespace {

/// [outer, inner] split before `axis`.
llvm::Expected<Value> importFlatten(NodeImport &node) {
  auto operand = node.operand(0);
  if (!operand)
    return operand.takeError();
  Value x = *operand;
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t axis = node.intAttr("axis", 1);
  if (axis < 0)
    axis += shape.size();
  if (axis < 0 || axis > (int64_t)shape.size())
    return node.error("axis out of range");
  int64_t outer = 1, inner = 1;
  for (auto [i, d] : llvm::enumerate(shape))
    (int64_t(i) < axis ? outer : inner) *= d;
  return node.reshape(x, {outer, inner});
}

llvm::Expected<Value> importReshape(NodeImport &node) {
  auto operand = node.operand(0);
  if (!operand)
    return operand.takeError();
  Value x = *operand;
  const IntTensor *target = node.intConstant(1);
  if (!target)
    return node.error("the shape must be a constant or an initializer");
  ArrayRef<int64_t> input = shapeOf(x);
  int64_t total = llvm::cast<RankedTensorType>(x.getType()).getNumElements();
  bool allowZero = node.intAttr("allowzero", 0);
  SmallVector<int64_t> shape;
  int64_t known = 1, inferred = -1;
  for (auto [i, d] : llvm::enumerate(target->values)) {
    int64_t dim = d == 0 && !allowZero && i < input.size() ? input[i] : d;
    if (dim < -1 || dim == 0 || (dim == -1 && inferred >= 0))
      return node.error("invalid target shape " + shapeText(target->values) +
                        " (one -1 at most, other dimensions >= 1)");
    if (dim == -1)
      inferred = i;
    else if (llvm::MulOverflow(known, dim, known) || known > kMaxTensorElements)
      return node.error("cannot reshape " + shapeText(input) + " into " +
                        shapeText(target->values));
    shape.push_back(dim);
  }
  if (inferred >= 0)
    shape[inferred] = total % known == 0 ? total / known : -1;
  if (checkedElementCount(shape) != total)
    return node.error("cannot reshape " + shapeText(input) + " into " + shapeText(shape));
  return node.reshape(x, shape);
}

/// `perm`, by default the reversed dimensions.
llvm::Expected<Value> importTranspose(NodeImport &node) {
  auto operand = node.operand(0);
  if (!operand)
    return operand.takeError();
  Value x = *operand;
  int64_t rank = shapeOf(x).size();
  SmallVector<int64_t> permutation;
  if (const onnx::AttributeProto *perm = node.attribute("perm"))
    permutation.assign(perm->ints().begin(), perm->ints().end());
  else
    for (int64_t d = rank - 1; d >= 0; --d)
      permutation.push_back(d);
  std::string notPermutation = "perm must be a permutation of the input's " +
                               std::to_string(rank) + " dimensions";
  if (int64_t(permutation.size()) != rank)
    return node.error(notPermutation);
  SmallVector<bool> seen(rank, false);
  for (int64_t from : permutation) {
    if (from < 0 || from >= rank || seen[from])
      return node.error(notPermutation);
    seen[from] = true;
  }
  return Value(TransposeOp::create(node.builder, node.loc, x, permutation));
}

llvm::Expected<Value> importConcat(NodeImport &node) {
  auto inputs = node.operands(node.node.input_size());
  if (!inputs)
    return inputs.takeError();
  if (inputs->empty())
    return node.error("needs at least one input");
  const onnx::AttributeProto *axisAttr = node.attribute("axis");
  if (!axisAttr)
    return node.error("the axis attribute is required");
  auto first = llvm::cast<RankedTensorType>(inputs->front().getType());
  int64_t rank = first.getRank(), axis = axisAttr->i();
  if (llvm::Error error = node.normalizeAxis(axis, rank))
    return std::move(error);
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value input : *inputs) {
    ArrayRef<int64_t> other = shapeOf(input);
    for (int64_t d = 0; d < rank; ++d)
      if (other.size() != size_t(rank) || (d != axis && other[d] != first.getDimSize(d)))
        return node.error("inputs " + shapeText(first.getShape()) + " and " + shapeText(other) +
                          " do not join along axis " + std::to_string(axis));
    shape[axis] += other[axis];
  }
  if (inputs->size() == 1)
    return inputs->front();
  auto type = RankedTensorType::get(shape, node.elementType());
  return Value(ConcatOp::create(node.builder, node.loc, type, *inputs,
                                node.builder.getI64IntegerAttr(axis)));
}

/// Slice of a float tensor: contiguous ranges (step 1), one marthe.slice
/// an axis.
llvm::Expected<Value> importSlice(NodeImport &node) {
  auto input = node.operand(0);
  if (!input)
    return input.takeError();
  SmallVector<const IntTensor *> bounds;
  for (int i = 1; i < node.node.input_size(); ++i) {
    const IntTensor *bound = node.intConstant(i);
    if (node.hasInput(i) && !bound)
      return node.error("input '" + node.node.input(i) + "' must be a constant or an initializer");
    bounds.push_back(bound);
  }
  auto ranges = sliceRanges(node, shapeOf(*input), bounds);
  if (!ranges)
    return ranges.takeError();
  Value sliced = *input;
  for (const SliceRange &range : *ranges) {
    if (range.step != 1)
      return node.error("step " + llvm::Twine(range.step) + " along axis " +
                        llvm::Twine(range.axis) + " (only step 1 is supported on float tensors)");
    if (range.end <= range.start)
      return node.error("leaves nothing along axis " + llvm::Twine(range.axis));
    SmallVector<int64_t> shape(shapeOf(sliced));
    if (shape[range.axis] == range.end - range.start)
      continue;
    shape[range.axis] = range.end - range.start;
    sliced = SliceOp::create(node.builder, node.loc, RankedTensorType::get(shape, node.elementType()),
                             sliced, node.builder.getI64IntegerAttr(range.axis),
                             node.builder.getI64IntegerAttr(range.start));
  }
  return sliced;
}

} // namespace

void registerShapeOps(OpRegistry &registry) {
  auto onIntegers = IntegerFolding::WhenConstant;
  registry.add("Flatten", {13, 21}, importFlatten);
  registry.add("Reshape", {13, 14, 19, 21}, importReshape, onIntegers);
  registry.add("Transpose", {13, 21}, importTranspose, onIntegers);
  registry.add("Concat", {13}, importConcat, onIntegers);
  registry.add("Slice", {13}, importSlice, onIntegers);
  // Shape arithmetic only: a float input is an error.
  auto only = IntegerFolding::Always;
  registry.add("Shape", {13, 15, 19, 21}, nullptr, only);
  registry.add("Gather", {13}, nullptr, only);
  registry.add("Cast", {13, 19, 21}, nullptr, only);
  registry.add("ConstantOfShape", {9, 20, 21}, nullptr, only);
  registry.add("Unsqueeze", {13, 21}, nullptr, only);
  registry.add("Squeeze", {13, 21}, nullptr, only);
}

} // namespace marthe
