// Normalizations and reductions: BatchNormalization as a composition of
// differentiable ops (reduce_sum, broadcast, sqrt, ...), so that its
// derivatives in both modes come from theirs; Softmax and LogSoftmax along
// any axis; ReduceMean over any axes.

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

double floatAttr(const onnx::NodeProto &node, StringRef name, double fallback) {
  const onnx::AttributeProto *attr = findAttribute(node, name);
  return attr ? attr->f() : fallback;
}

/// BatchNormalization of `input` [N, C, ...] by channel. In inference form it
/// normalizes with the running statistics; in training form (`training` and
/// the node's training_mode) with the batch's own, biased, statistics, and
/// also returns the running statistics updated with the node's momentum:
/// running' = momentum * running + (1 - momentum) * batch (ONNX's rule).
struct BatchNorm {
  Value output;
  Value runningMean, runningVar; // null in inference form
};

llvm::Expected<BatchNorm> batchNorm(ImportedNode node, Value input, Value scale, Value bias,
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

/// Its other outputs (the updated running statistics) are not values of
/// the graph: they become results of @forward_train.
llvm::Expected<Value> importBatchNormalization(NodeImport &node) {
  if (node.version == 9 && node.node.output_size() != 1)
    return node.error("BatchNormalization-9 in its training form (" +
                      std::to_string(node.node.output_size()) +
                      " outputs) is not supported: export the model at opset 14 or later");
  if (node.node.output_size() > 3)
    return node.error("expected one to three outputs");
  auto inputs = node.operands(5);
  if (!inputs)
    return inputs.takeError();
  for (int i : {3, 4})
    if (!llvm::is_contained(node.graph.argNames, node.node.input(i)))
      return node.error("the running " + std::string(i == 3 ? "mean" : "var") +
                        " must be an initializer");
  auto norm = batchNorm(node, (*inputs)[0], (*inputs)[1], (*inputs)[2], (*inputs)[3],
                        (*inputs)[4], node.graph.training);
  if (!norm)
    return norm.takeError();
  if (norm->runningMean) {
    node.graph.updatedStats[node.node.input(3)] = norm->runningMean;
    node.graph.updatedStats[node.node.input(4)] = norm->runningVar;
  }
  return norm->output;
}

/// (x - mean) / sqrt(var + epsilon) * scale + bias, the mean and the biased
/// variance over the dimensions from `axis` on (default -1), composed of
/// differentiable ops as BatchNormalization is. Its Mean and InvStdDev
/// outputs are not values of the graph (PyTorch exports Y alone).
llvm::Expected<Value> importLayerNormalization(NodeImport &node) {
  auto x = node.operand(0);
  if (!x)
    return x.takeError();
  auto scale = node.operand(1);
  if (!scale)
    return scale.takeError();
  ArrayRef<int64_t> shape = shapeOf(*x);
  int64_t rank = shape.size(), axis = node.intAttr("axis", -1);
  if (llvm::Error error = node.normalizeAxis(axis, rank))
    return std::move(error);
  SmallVector<int64_t> kept(shape.take_front(axis));
  kept.append(rank - axis, 1);
  double count = 1;
  for (int64_t d : shape.drop_front(axis))
    count *= d;
  OpBuilder &b = node.builder;
  Location loc = node.loc;
  auto keptType = RankedTensorType::get(kept, node.elementType());
  auto fullType = llvm::cast<RankedTensorType>(x->getType());
  auto mean = [&](Value v) -> Value {
    Value sum = ReduceSumOp::create(b, loc, keptType, v);
    Value average = MulOp::create(b, loc, sum, node.scalar(1.0 / count));
    return BroadcastOp::create(b, loc, fullType, average);
  };
  Value centered = SubOp::create(b, loc, *x, mean(*x));
  Value squares = MulOp::create(b, loc, centered, centered);
  Value variance = mean(squares);
  Value epsilon = node.scalar(node.floatAttr("epsilon", 1e-5f));
  Value shifted = AddOp::create(b, loc, variance, epsilon);
  Value deviation = SqrtOp::create(b, loc, shifted);
  Value normalized = DivOp::create(b, loc, centered, deviation);
  auto scaled = node.broadcastBinary<MulOp>(normalized, *scale);
  if (!scaled || !node.hasInput(2))
    return scaled;
  auto bias = node.operand(2);
  if (!bias)
    return bias.takeError();
  return node.broadcastBinary<AddOp>(*scaled, *bias);
}

/// LogSoftmax along `axis` (default -1); Softmax is its exp.
template <bool log>
llvm::Expected<Value> importSoftmax(NodeImport &node) {
  auto input = node.operand(0);
  if (!input)
    return input.takeError();
  int64_t rank = shapeOf(*input).size(), axis = node.intAttr("axis", -1);
  if (llvm::Error error = node.normalizeAxis(axis, rank))
    return std::move(error);
  Value logProbabilities = LogSoftmaxOp::create(node.builder, node.loc, input->getType(), *input,
                                                node.builder.getI64IntegerAttr(axis));
  if (log)
    return logProbabilities;
  return Value(ExpOp::create(node.builder, node.loc, logProbabilities));
}

/// The mean over `axes` (attribute up to opset 17, else input 1; none:
/// all, unless noop_with_empty_axes), keeping the reduced dimensions as 1
/// unless keepdims = 0.
llvm::Expected<Value> importReduceMean(NodeImport &node) {
  auto operand = node.operand(0);
  if (!operand)
    return operand.takeError();
  Value x = *operand;
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t rank = shape.size();
  SmallVector<int64_t> axes;
  if (const onnx::AttributeProto *attr = node.attribute("axes")) {
    axes.assign(attr->ints().begin(), attr->ints().end());
  } else if (node.hasInput(1)) {
    const IntTensor *given = node.intConstant(1);
    if (!given)
      return node.error("axes must be a constant or an initializer");
    axes.assign(given->values.begin(), given->values.end());
  }
  if (axes.empty() && node.intAttr("noop_with_empty_axes", 0))
    return x;
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  for (int64_t &axis : axes)
    if (llvm::Error error = node.normalizeAxis(axis, rank))
      return std::move(error);
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  SmallVector<int64_t> kept(shape), squeezed;
  double count = 1;
  for (int64_t axis : axes) {
    count *= shape[axis];
    kept[axis] = 1;
  }
  for (auto [d, size] : llvm::enumerate(shape))
    if (!llvm::is_contained(axes, int64_t(d)))
      squeezed.push_back(size);
  auto keptType = RankedTensorType::get(kept, node.elementType());
  Value sum = ReduceSumOp::create(node.builder, node.loc, keptType, x);
  Value mean = MulOp::create(node.builder, node.loc, sum, node.scalar(1.0 / count));
  return node.intAttr("keepdims", 1) ? mean : node.reshape(mean, squeezed);
}

} // namespace

void registerNormalizationOps(OpRegistry &registry) {
  // Up to 5 outputs at version 9 (refused by the handler), 3 since.
  registry.add("BatchNormalization", {9, 14, 15}, importBatchNormalization, /*outputs=*/5);
  registry.add("LayerNormalization", {17}, importLayerNormalization, /*outputs=*/3);
  registry.add("Softmax", {13}, importSoftmax<false>);
  registry.add("LogSoftmax", {13}, importSoftmax<true>);
  registry.add("ReduceMean", {13, 18}, importReduceMean);
}

} // namespace marthe
