// BatchNormalization as a composition of differentiable ops (reduce_sum,
// broadcast, sqrt, ...), so that its derivatives in both modes come from
// theirs.

#include "frontend/NodeImport.h"

#include "dialect/MartheOps.h"

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace marthe {
namespace {

class ChannelOps {
public:
  ChannelOps(ImportedNode &node, Value input) : b(node.builder), loc(node.loc) {
    auto type = llvm::cast<RankedTensorType>(input.getType());
    full = type;
    element = type.getElementType();
    SmallVector<int64_t> shape(type.getRank(), 1);
    shape[1] = type.getDimSize(1);
    perChannel = RankedTensorType::get(shape, element);
    count = double(type.getNumElements()) / double(type.getDimSize(1));
  }

  /// A [C] vector as [1, C, 1, ...].
  Value lift(Value v) { return ReshapeOp::create(b, loc, perChannel, v); }
  /// A [1, C, 1, ...] tensor as [C].
  Value flat(Value v) {
    return ReshapeOp::create(b, loc, RankedTensorType::get({perChannel.getDimSize(1)}, element), v);
  }
  Value spread(Value v) { return BroadcastOp::create(b, loc, full, v); }
  /// The mean over every dimension but the channels, as [1, C, 1, ...].
  Value mean(Value v) {
    Value sum = ReduceSumOp::create(b, loc, perChannel, v);
    return MulOp::create(b, loc, sum, scalar(1.0 / count));
  }
  Value scalar(double value) {
    return ConstantOp::createSplat(b, loc, RankedTensorType::get({}, element), value);
  }
  /// momentum * running + (1 - momentum) * batch, on [C] vectors.
  Value blend(double momentum, Value running, Value batch) {
    Value kept = MulOp::create(b, loc, scalar(momentum), running);
    Value added = MulOp::create(b, loc, scalar(1.0 - momentum), batch);
    return AddOp::create(b, loc, kept, added);
  }

  OpBuilder &b;
  Location loc;
  RankedTensorType full, perChannel;
  Type element;
  double count;
};

const onnx::AttributeProto *findAttribute(const onnx::NodeProto &node, StringRef name) {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

double floatAttr(const onnx::NodeProto &node, StringRef name, double fallback) {
  const onnx::AttributeProto *attr = findAttribute(node, name);
  return attr ? attr->f() : fallback;
}

} // namespace

llvm::Expected<BatchNorm> importBatchNorm(ImportedNode node, Value input, Value scale, Value bias,
                                          Value runningMean, Value runningVar, bool training) {
  auto type = llvm::cast<RankedTensorType>(input.getType());
  if (type.getRank() < 2)
    return node.error("the input must be [N, C, ...]");
  int64_t channels = type.getDimSize(1);
  for (Value v : {scale, bias, runningMean, runningVar})
    if (llvm::cast<RankedTensorType>(v.getType()).getShape() != ArrayRef<int64_t>{channels})
      return node.error("scale, bias, mean and var must be [" + llvm::Twine(channels) + "]");
  double epsilon = floatAttr(node.node, "epsilon", 1e-5);
  double momentum = floatAttr(node.node, "momentum", 0.9);
  const onnx::AttributeProto *mode = findAttribute(node.node, "training_mode");
  training = training && mode && mode->i();

  ChannelOps ops(node, input);
  OpBuilder &b = node.builder;
  Location loc = node.loc;
  BatchNorm result;
  Value centered, variance;
  if (training) {
    Value mean = ops.mean(input);
    centered = SubOp::create(b, loc, input, ops.spread(mean));
    variance = ops.mean(MulOp::create(b, loc, centered, centered));
    result.runningMean = ops.blend(momentum, runningMean, ops.flat(mean));
    result.runningVar = ops.blend(momentum, runningVar, ops.flat(variance));
  } else {
    centered = SubOp::create(b, loc, input, ops.spread(ops.lift(runningMean)));
    variance = ops.lift(runningVar);
  }
  Value deviation = SqrtOp::create(b, loc, AddOp::create(b, loc, variance, ops.scalar(epsilon)));
  Value gain = DivOp::create(b, loc, ops.lift(scale), deviation);
  Value scaled = MulOp::create(b, loc, centered, ops.spread(gain));
  result.output = AddOp::create(b, loc, scaled, ops.spread(ops.lift(bias)));
  return result;
}

} // namespace marthe
