#include "frontend/NodeImport.h"

#include "dialect/MartheOps.h"

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace marthe {

std::string shapeText(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    text += (i ? "," : "") + std::to_string(d);
  return text + "]";
}

ArrayRef<int64_t> shapeOf(Value value) {
  return llvm::cast<RankedTensorType>(value.getType()).getShape();
}

bool NodeImport::hasInput(int i) const { return i < node.input_size() && !node.input(i).empty(); }

llvm::Expected<Value> NodeImport::operand(int i) {
  if (!hasInput(i))
    return error("missing input " + llvm::Twine(i));
  auto found = graph.values.find(node.input(i));
  if (found == graph.values.end())
    return error("input '" + node.input(i) + "' is not a float tensor computed before this node");
  return found->second;
}

llvm::Expected<SmallVector<Value>> NodeImport::operands(int count) {
  SmallVector<Value> values;
  for (int i = 0; i < count; ++i) {
    auto value = operand(i);
    if (!value)
      return value.takeError();
    values.push_back(*value);
  }
  return values;
}

const IntTensor *NodeImport::intConstant(int i) const {
  if (!hasInput(i))
    return nullptr;
  auto found = graph.shapeConstants.find(node.input(i));
  return found == graph.shapeConstants.end() ? nullptr : &found->second;
}

std::optional<double> NodeImport::setting(int i) const {
  if (!hasInput(i))
    return std::nullopt;
  auto found = graph.settings.find(node.input(i));
  return found == graph.settings.end() ? std::nullopt : std::optional<double>(found->second);
}

std::optional<bool> NodeImport::flag(int i) const {
  if (!hasInput(i))
    return std::nullopt;
  auto found = graph.flags.find(node.input(i));
  return found == graph.flags.end() ? std::nullopt : std::optional<bool>(found->second);
}

const onnx::AttributeProto *findAttribute(const onnx::NodeProto &node, StringRef name) {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

const onnx::AttributeProto *NodeImport::attribute(StringRef name) const {
  return findAttribute(node, name);
}

int64_t NodeImport::intAttr(StringRef name, int64_t fallback) const {
  const onnx::AttributeProto *attr = attribute(name);
  return attr ? attr->i() : fallback;
}

float NodeImport::floatAttr(StringRef name, float fallback) const {
  const onnx::AttributeProto *attr = attribute(name);
  return attr ? attr->f() : fallback;
}

llvm::Error NodeImport::normalizeAxis(int64_t &axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return error("axis " + std::to_string(axis) + " is out of range");
  axis = axis < 0 ? axis + rank : axis;
  return llvm::Error::success();
}

Value NodeImport::scalar(double value) {
  return ConstantOp::createSplat(builder, loc, RankedTensorType::get({}, elementType()), value);
}

Value NodeImport::reshape(Value x, ArrayRef<int64_t> shape) {
  if (shapeOf(x) == shape)
    return x;
  return ReshapeOp::create(builder, loc, RankedTensorType::get(shape, elementType()), x);
}

llvm::Expected<std::pair<Value, Value>> NodeImport::broadcast(Value lhs, Value rhs) {
  ArrayRef<int64_t> l = shapeOf(lhs), r = shapeOf(rhs);
  // The element-wise ops broadcast a suffix of the other's shape: drop the
  // smaller operand's leading 1s and see whether that is one.
  bool lhsIsFull = l.size() > r.size() || (l.size() == r.size() && !llvm::is_contained(l, 1));
  Value full = lhsIsFull ? lhs : rhs, other = lhsIsFull ? rhs : lhs;
  ArrayRef<int64_t> fullShape = shapeOf(full), otherShape = shapeOf(other);
  size_t drop = 0;
  while (drop < otherShape.size() && otherShape[drop] == 1)
    ++drop;
  ArrayRef<int64_t> suffix = otherShape.drop_front(drop);
  if (suffix.size() <= fullShape.size() && fullShape.take_back(suffix.size()) == suffix) {
    Value squeezed = reshape(other, suffix);
    return lhsIsFull ? std::make_pair(full, squeezed) : std::make_pair(squeezed, full);
  }
  // General numpy broadcasting: both operands to the common shape.
  SmallVector<int64_t> shape(std::max(l.size(), r.size()), 1);
  for (ArrayRef<int64_t> operandShape : {l, r})
    for (auto [i, d] : llvm::enumerate(llvm::reverse(operandShape))) {
      int64_t &to = shape[shape.size() - 1 - i];
      if (d != 1 && to != 1 && d != to)
        return error("shapes " + shapeText(l) + " and " + shapeText(r) + " do not broadcast");
      to = d == 1 ? to : d;
    }
  auto broadcastTo = [&](Value v) -> Value {
    SmallVector<int64_t> aligned(shape.size() - shapeOf(v).size(), 1);
    llvm::append_range(aligned, shapeOf(v));
    v = reshape(v, aligned);
    if (ArrayRef<int64_t>(aligned) == ArrayRef<int64_t>(shape))
      return v;
    return BroadcastOp::create(builder, loc, RankedTensorType::get(shape, elementType()), v);
  };
  Value left = broadcastTo(lhs);
  Value right = broadcastTo(rhs);
  return std::make_pair(left, right);
}

void OpRegistry::add(StringRef type, std::initializer_list<int> versions, OpHandler handler,
                     IntegerFolding folding) {
  assert((handler != nullptr) == (folding != IntegerFolding::Always) &&
         "an op has a handler unless the importer only folds it");
  entries[type.str()] = OpEntry{type.str(), SmallVector<int>(versions), handler, 1, folding};
}

void OpRegistry::add(StringRef type, std::initializer_list<int> versions, OpHandler handler,
                     int outputs) {
  add(type, versions, handler);
  entries[type.str()].outputs = outputs;
}

const OpEntry *OpRegistry::lookup(StringRef type) const {
  auto found = entries.find(type.str());
  return found == entries.end() ? nullptr : &found->second;
}

std::string OpRegistry::names() const {
  std::string names;
  for (const auto &[type, entry] : entries)
    names += (names.empty() ? "" : ", ") + type;
  return names;
}

const OpRegistry &OpRegistry::onnx() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerElementwiseOps(r);
    registerLinearAlgebraOps(r);
    registerWindowOps(r);
    registerPadOps(r);
    registerNormalizationOps(r);
    registerShapeOps(r);
    // Constant defines constants, not values: the importer reads it itself.
    r.add("Constant", {13, 19, 21}, nullptr, IntegerFolding::Always);
    return r;
  }();
  return registry;
}

} // namespace marthe
