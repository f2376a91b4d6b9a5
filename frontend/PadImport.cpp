// Pad in every mode as slices and concatenations (marthe.slice and
// marthe.concat are each other's adjoints), so Pad needs no derivative rules
// of its own. Negative pads crop first; the padding is then taken from the
// cropped tensor.

#include "frontend/NodeImport.h"
#include "frontend/ShapeFolding.h"

#include "dialect/MartheOps.h"

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace marthe {
namespace {

enum class PadMode { Constant, Reflect, Edge, Wrap };

class AxisPadder {
public:
  AxisPadder(ImportedNode &node, PadMode mode, double fill)
      : b(node.builder), loc(node.loc), node(node), mode(mode), fill(fill) {}

  /// `v` cropped or extended along `axis`.
  llvm::Expected<Value> pad(Value v, int64_t axis, int64_t before, int64_t after) {
    auto type = llvm::cast<RankedTensorType>(v.getType());
    int64_t size = type.getDimSize(axis);
    int64_t cropBefore = std::max<int64_t>(-before, 0), cropAfter = std::max<int64_t>(-after, 0);
    if (size - cropBefore - cropAfter < 1)
      return node.error("cropping leaves nothing along axis " + llvm::Twine(axis));
    if (cropBefore || cropAfter)
      v = slice(v, axis, cropBefore, size - cropBefore - cropAfter);
    before = std::max<int64_t>(before, 0);
    after = std::max<int64_t>(after, 0);
    if (!before && !after)
      return v;
    size = shape(v)[axis];
    if (llvm::Error error = checkReach(axis, size, std::max(before, after)))
      return std::move(error);
    SmallVector<Value> parts;
    appendPadding(parts, v, axis, before, /*before=*/true);
    parts.push_back(v);
    appendPadding(parts, v, axis, after, /*before=*/false);
    SmallVector<int64_t> joined(shape(v));
    joined[axis] += before + after;
    return Value(ConcatOp::create(b, loc, RankedTensorType::get(joined, element(v)), parts,
                                  b.getI64IntegerAttr(axis)));
  }

private:
  /// Reflection mirrors without repeating the border, wrapping takes one
  /// copy of the other end: both need as many elements as they pad.
  llvm::Error checkReach(int64_t axis, int64_t size, int64_t amount) {
    if (mode == PadMode::Reflect && amount >= size)
      return node.error("reflect pads " + llvm::Twine(amount) + " along axis " +
                        llvm::Twine(axis) + " of size " + llvm::Twine(size) +
                        " (at most size - 1)");
    if (mode == PadMode::Wrap && amount > size)
      return node.error("wrap pads " + llvm::Twine(amount) + " along axis " + llvm::Twine(axis) +
                        " of size " + llvm::Twine(size) + " (at most the size)");
    return llvm::Error::success();
  }

  /// The `amount` elements that go before `v` (`before`) or after it along
  /// `axis`.
  void appendPadding(SmallVector<Value> &parts, Value v, int64_t axis, int64_t amount,
                     bool before) {
    if (!amount)
      return;
    int64_t size = shape(v)[axis];
    switch (mode) {
    case PadMode::Constant:
      return appendFill(parts, v, axis, amount);
    case PadMode::Edge:
      return parts.append(amount, slice(v, axis, before ? 0 : size - 1, 1));
    case PadMode::Reflect:
      for (int64_t i = 1; i <= amount; ++i)
        parts.push_back(slice(v, axis, before ? amount + 1 - i : size - 1 - i, 1));
      return;
    case PadMode::Wrap:
      return parts.push_back(slice(v, axis, before ? size - amount : 0, amount));
    }
  }

  void appendFill(SmallVector<Value> &parts, Value v, int64_t axis, int64_t amount) {
    SmallVector<int64_t> blockShape(shape(v));
    blockShape[axis] = amount;
    parts.push_back(
        ConstantOp::createSplat(b, loc, RankedTensorType::get(blockShape, element(v)), fill));
  }

  Value slice(Value v, int64_t axis, int64_t offset, int64_t width) {
    SmallVector<int64_t> sliced(shape(v));
    sliced[axis] = width;
    return SliceOp::create(b, loc, RankedTensorType::get(sliced, element(v)), v,
                           b.getI64IntegerAttr(axis), b.getI64IntegerAttr(offset));
  }

  static ArrayRef<int64_t> shape(Value v) {
    return llvm::cast<RankedTensorType>(v.getType()).getShape();
  }
  static Type element(Value v) { return llvm::cast<RankedTensorType>(v.getType()).getElementType(); }

  OpBuilder &b;
  Location loc;
  ImportedNode &node;
  PadMode mode;
  double fill;
};

llvm::Expected<PadMode> parsePadMode(ImportedNode node, llvm::StringRef mode) {
  if (mode == "constant")
    return PadMode::Constant;
  if (mode == "reflect")
    return PadMode::Reflect;
  if (mode == "edge")
    return PadMode::Edge;
  if (mode == "wrap")
    return PadMode::Wrap;
  return node.error("mode " + mode + " is not one of constant, reflect, edge, wrap");
}

/// `input` padded along `axes` by `amounts` (all the begin amounts, then all
/// the end ones, as ONNX orders them); negative amounts crop.
llvm::Expected<Value> pad(ImportedNode node, Value input, PadMode mode,
                          llvm::ArrayRef<int64_t> axes, llvm::ArrayRef<int64_t> amounts,
                          double fill) {
  if (amounts.size() != 2 * axes.size())
    return node.error("pads has " + llvm::Twine(amounts.size()) + " values for " +
                      llvm::Twine(axes.size()) + " axes");
  // Larger amounts could only make a tensor past the size limit; refused
  // before they enter any arithmetic.
  for (int64_t amount : amounts)
    if (amount > kMaxTensorElements || amount < -kMaxTensorElements)
      return node.error("pads value " + llvm::Twine(amount) + " is out of range");
  AxisPadder padder(node, mode, fill);
  Value padded = input;
  for (auto [k, axis] : llvm::enumerate(axes)) {
    auto result = padder.pad(padded, axis, amounts[k], amounts[k + axes.size()]);
    if (!result)
      return result.takeError();
    padded = *result;
  }
  return padded;
}

/// Pad's settings are constants (pads, constant_value, axes).
llvm::Expected<Value> importPad(NodeImport &node) {
  auto input = node.operand(0);
  if (!input)
    return input.takeError();
  const onnx::AttributeProto *modeAttr = node.attribute("mode");
  auto mode = parsePadMode(node, modeAttr ? modeAttr->s() : "constant");
  if (!mode)
    return mode.takeError();
  const IntTensor *pads = node.intConstant(1);
  if (!pads)
    return node.error("pads must be a constant or an initializer");
  double fill = 0.0;
  if (node.hasInput(2)) {
    std::optional<double> value = node.setting(2);
    if (!value)
      return node.error("constant_value must be a constant");
    fill = *value;
  }
  int64_t rank = shapeOf(*input).size();
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (node.hasInput(3)) {
    const IntTensor *given = node.intConstant(3);
    if (!given)
      return node.error("axes must be a constant or an initializer");
    axes.assign(given->values.begin(), given->values.end());
    for (int64_t &axis : axes)
      if (llvm::Error error = node.normalizeAxis(axis, rank))
        return std::move(error);
  }
  return pad(node, *input, *mode, axes, pads->values, fill);
}

} // namespace

void registerPadOps(OpRegistry &registry) { registry.add("Pad", {13, 18, 19, 21}, importPad); }

} // namespace marthe
