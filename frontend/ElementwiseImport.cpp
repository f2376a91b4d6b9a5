// Element-wise ops: arithmetic with numpy broadcasting, activations, Clip,
// Identity and Dropout.

#include "frontend/NodeImport.h"

#include "dialect/MartheOps.h"

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace marthe {
namespace {

template <typename OpTy>
llvm::Expected<Value> importBinary(NodeImport &node) {
  auto ab = node.operands(2);
  if (!ab)
    return ab.takeError();
  return node.broadcastBinary<OpTy>((*ab)[0], (*ab)[1]);
}

/// One-input ops built by `build` from the input.
template <Value (*build)(NodeImport &, Value)>
llvm::Expected<Value> importUnary(NodeImport &node) {
  auto x = node.operand(0);
  if (!x)
    return x.takeError();
  return build(node, *x);
}

template <typename OpTy>
Value unaryOp(NodeImport &node, Value x) {
  return OpTy::create(node.builder, node.loc, x);
}

/// clamp(alpha x + beta, 0, 1): its derivative, alpha strictly inside the
/// bounds and 0 outside, is PyTorch's.
Value hardSigmoid(NodeImport &node, Value x, double alpha, double beta) {
  Value scaled = MulOp::create(node.builder, node.loc, node.scalar(alpha), x);
  Value affine = AddOp::create(node.builder, node.loc, scaled, node.scalar(beta));
  FloatAttr zero = node.builder.getF64FloatAttr(0), one = node.builder.getF64FloatAttr(1);
  return ClampOp::create(node.builder, node.loc, affine.getType(), affine, zero, one);
}

Value hardSigmoidNode(NodeImport &node, Value x) {
  return hardSigmoid(node, x, node.floatAttr("alpha", 0.2f), node.floatAttr("beta", 0.5f));
}

/// x hardSigmoid(x) with alpha 1/6 and beta 1/2.
Value hardSwish(NodeImport &node, Value x) {
  Value gate = hardSigmoid(node, x, 1.0 / 6, 0.5);
  return MulOp::create(node.builder, node.loc, x, gate);
}

/// relu(x) - alpha relu(-x): x where x > 0, else alpha x; its derivatives
/// are relu's.
Value leakyRelu(NodeImport &node, Value x) {
  Value positive = ReluOp::create(node.builder, node.loc, x);
  Value negated = NegOp::create(node.builder, node.loc, x);
  Value negative = ReluOp::create(node.builder, node.loc, negated);
  Value alpha = node.scalar(node.floatAttr("alpha", 0.01f));
  Value scaled = MulOp::create(node.builder, node.loc, alpha, negative);
  return SubOp::create(node.builder, node.loc, positive, scaled);
}

Value identity(NodeImport &, Value x) { return x; }

/// Clip's bound at input `index` (absent: none), a constant of the model.
llvm::Expected<std::optional<double>> clipBound(NodeImport &node, int index) {
  if (!node.hasInput(index))
    return std::optional<double>();
  if (std::optional<double> bound = node.setting(index))
    return bound;
  return node.error("bound '" + node.node.input(index) +
                    "' must be one constant value (an initializer or a Constant node)");
}

llvm::Expected<Value> importClip(NodeImport &node) {
  auto x = node.operand(0);
  if (!x)
    return x.takeError();
  auto lo = clipBound(node, 1);
  if (!lo)
    return lo.takeError();
  auto hi = clipBound(node, 2);
  if (!hi)
    return hi.takeError();
  auto attr = [&](std::optional<double> bound) {
    return bound ? node.builder.getF64FloatAttr(*bound) : FloatAttr();
  };
  return Value(ClampOp::create(node.builder, node.loc, x->getType(), *x, attr(*lo), attr(*hi)));
}

/// Dropout is the identity in @forward and where training_mode is not the
/// constant true; in @forward_train it is marthe.dropout keyed by the
/// function's dropout_key argument (its mask output is not a value).
llvm::Expected<Value> importDropout(NodeImport &node) {
  auto input = node.operand(0);
  if (!input)
    return input.takeError();
  double ratio = 0.5;
  if (node.hasInput(1)) {
    std::optional<double> given = node.setting(1);
    if (!given)
      return node.error("the ratio must be a constant");
    ratio = *given;
  }
  if (ratio < 0 || ratio >= 1)
    return node.error("the ratio must be in [0, 1), got " + std::to_string(ratio));
  bool trainingMode = false;
  if (node.hasInput(2)) {
    std::optional<bool> given = node.flag(2);
    if (!given)
      return node.error("training_mode must be a constant");
    trainingMode = *given;
  }
  if (!node.graph.dropoutKey || !trainingMode || ratio == 0)
    return *input;
  return Value(DropoutOp::create(node.builder, node.loc,
                                 llvm::cast<RankedTensorType>(input->getType()), *input,
                                 node.graph.dropoutKey, node.builder.getF64FloatAttr(ratio),
                                 node.builder.getI64IntegerAttr(node.index)));
}

} // namespace

void registerElementwiseOps(OpRegistry &registry) {
  auto onIntegers = IntegerFolding::WhenConstant;
  registry.add("Add", {13, 14}, importBinary<AddOp>, onIntegers);
  registry.add("Sub", {13, 14}, importBinary<SubOp>, onIntegers);
  registry.add("Mul", {13, 14}, importBinary<MulOp>, onIntegers);
  registry.add("Div", {13, 14}, importBinary<DivOp>, onIntegers);
  registry.add("Identity", {13, 14, 16, 19, 21}, importUnary<identity>, onIntegers);
  registry.add("Relu", {13, 14}, importUnary<unaryOp<ReluOp>>);
  registry.add("Tanh", {13}, importUnary<unaryOp<TanhOp>>);
  registry.add("Sigmoid", {13}, importUnary<unaryOp<SigmoidOp>>);
  registry.add("Erf", {13}, importUnary<unaryOp<ErfOp>>);
  registry.add("LeakyRelu", {6, 16}, importUnary<leakyRelu>);
  registry.add("HardSigmoid", {6}, importUnary<hardSigmoidNode>);
  registry.add("HardSwish", {14}, importUnary<hardSwish>);
  registry.add("Clip", {13}, importClip);
  registry.add("Dropout", {13}, importDropout, /*outputs=*/2); // the mask is not a value
}

} // namespace marthe
