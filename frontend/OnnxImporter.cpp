#include "frontend/OnnxImporter.h"

#include "frontend/OnnxSchema.h"
#include "frontend/NodeImport.h"
#include "frontend/ShapeFolding.h"

#include "dialect/MartheOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <limits>
#include <map>

using namespace mlir;

namespace marthe {
namespace {

constexpr int64_t kMinOpset = 13, kMaxOpset = 21;

/// An op and the versions of it whose semantics for float tensors the importer
/// implements. An op's version at a model's opset is its newest schema not
/// newer than the opset (ONNX's registry); between these versions only the
/// accepted element types changed.
struct SupportedOp {
  llvm::StringLiteral name;
  std::initializer_list<int> versions;
};

const SupportedOp kSupportedOps[] = {
    {"Gemm", {13}},          {"MatMul", {13}},         {"Add", {13, 14}},
    {"Sub", {13, 14}},       {"Mul", {13, 14}},        {"Div", {13, 14}},
    {"Relu", {13, 14}},      {"Tanh", {13}},           {"Sigmoid", {13}},
    {"LeakyRelu", {6, 16}},  {"HardSigmoid", {6}},     {"HardSwish", {14}},
    {"Erf", {13}},
    {"Clip", {13}},          {"Flatten", {13, 21}},
    {"Reshape", {13, 14, 19, 21}}, {"Transpose", {13, 21}}, {"Identity", {13, 14, 16, 19, 21}},
    {"Constant", {13, 19, 21}}, {"ReduceMean", {13, 18}}, {"Conv", {11}},
    {"MaxPool", {12}},       {"AveragePool", {11, 19}}, {"GlobalAveragePool", {1}},
    {"BatchNormalization", {9, 14, 15}}, {"Pad", {13, 18, 19, 21}},
    {"Dropout", {13}},       {"Softmax", {13}},        {"LogSoftmax", {13}},
    {"Concat", {13}},
    // Folded at import time, on shapes and integer constants only.
    {"Shape", {13, 15, 19, 21}}, {"Gather", {13}}, {"Cast", {13, 19, 21}},
    {"ConstantOfShape", {9, 20, 21}}, {"Unsqueeze", {13, 21}}, {"Squeeze", {13, 21}},
    {"Slice", {13}}};

const SupportedOp *findSupportedOp(StringRef name) {
  for (const SupportedOp &op : kSupportedOps)
    if (op.name == name)
      return &op;
  return nullptr;
}

std::string supportedOpNames() {
  std::string names;
  for (const SupportedOp &op : kSupportedOps)
    names += (names.empty() ? "" : ", ") + op.name.str();
  return names;
}

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

/// Integer or float contents of a TensorProto, whatever its storage.
template <typename T>
std::vector<T> tensorValues(const onnx::TensorProto &tensor) {
  std::vector<T> values;
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    values.resize(raw.size() / sizeof(T));
    std::memcpy(values.data(), raw.data(), values.size() * sizeof(T));
    return values;
  }
  if constexpr (std::is_same_v<T, float>)
    values.assign(tensor.float_data().begin(), tensor.float_data().end());
  else if constexpr (std::is_same_v<T, double>)
    values.assign(tensor.double_data().begin(), tensor.double_data().end());
  else
    values.assign(tensor.int64_data().begin(), tensor.int64_data().end());
  return values;
}

class Importer {
public:
  Importer(MLIRContext *context, StringRef path, const ImportOptions &options)
      : context(context), builder(context), path(path.str()), options(options) {}

  llvm::Expected<OwningOpRef<ModuleOp>> run(const onnx::ModelProto &model) {
    if (llvm::Error error = checkOpset(model))
      return std::move(error);
    if (llvm::Error error = checkAttributeTypes(model.graph()))
      return std::move(error);
    for (const onnx::TensorProto &init : model.graph().initializer())
      if (auto shape = storedShape(init, "initializer '" + init.name() + "'"); !shape)
        return shape.takeError();
    OnnxCheck check = checkOnnxModel(model);
    if (!check.failed && !check.problem.empty())
      return fail(path + ": " + check.problem);
    const onnx::GraphProto &graph = model.graph();
    OwningOpRef<ModuleOp> module = ModuleOp::create(FileLineColLoc::get(context, path, 0, 0));
    // Where ONNX's checks failed, the importer's own may still name the fault.
    if (llvm::Error error = buildForward(graph, *module, false))
      return std::move(error);
    if (hasTrainingForm(graph))
      if (llvm::Error error = buildForward(graph, *module, true))
        return std::move(error);
    if (check.failed)
      return fail(path + ": " + check.problem);
    return std::move(module);
  }

private:
  llvm::Error checkOpset(const onnx::ModelProto &model) {
    for (const auto &import : model.opset_import())
      if (import.domain().empty() || import.domain() == "ai.onnx")
        opset = import.version();
    if (opset < kMinOpset || opset > kMaxOpset)
      return fail(path + ": opset " + llvm::Twine(opset) +
                  " of the default ONNX domain is not supported (expected " +
                  llvm::Twine(kMinOpset) + " to " + llvm::Twine(kMaxOpset) + ")");
    return llvm::Error::success();
  }

  /// Attributes of the types their schemas declare: ONNX's checker finds the
  /// same, but this names the node.
  llvm::Error checkAttributeTypes(const onnx::GraphProto &graph) {
    for (nodeIndex = 0; nodeIndex < graph.node_size(); ++nodeIndex) {
      const onnx::NodeProto &node = graph.node(nodeIndex);
      bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
      if (std::string problem = onnxAttributeProblem(node, opset);
          defaultDomain && !problem.empty())
        return nodeError(node, problem);
    }
    return llvm::Error::success();
  }

  /// Whether some node computes differently while training (BatchNormalization
  /// with training_mode = 1): then @forward_train is imported beside @forward.
  static bool hasTrainingForm(const onnx::GraphProto &graph) {
    for (const onnx::NodeProto &node : graph.node())
      if ((node.op_type() == "BatchNormalization" && intAttr(node, "training_mode", 0)) ||
          trainingDropout(graph, node))
        return true;
    return false;
  }

  /// A Dropout node whose training_mode input is the constant true.
  static bool trainingDropout(const onnx::GraphProto &graph, const onnx::NodeProto &node) {
    if (node.op_type() != "Dropout" || node.input_size() < 3 || node.input(2).empty())
      return false;
    for (const onnx::NodeProto &other : graph.node())
      if (other.op_type() == "Constant" && other.output_size() == 1 &&
          other.output(0) == node.input(2))
        if (const onnx::AttributeProto *value = attribute(other, "value"))
          return boolValue(value->t()).value_or(false);
    for (const onnx::TensorProto &init : graph.initializer())
      if (init.name() == node.input(2))
        return boolValue(init).value_or(false);
    return false;
  }

  /// The value of a one-element FLOAT or DOUBLE tensor.
  static std::optional<double> floatScalar(const onnx::TensorProto &tensor) {
    std::vector<double> values;
    if (tensor.data_type() == onnx::TensorProto::DOUBLE)
      values = tensorValues<double>(tensor);
    else if (tensor.data_type() == onnx::TensorProto::FLOAT)
      for (float value : tensorValues<float>(tensor))
        values.push_back(value);
    return values.size() == 1 ? std::optional<double>(values[0]) : std::nullopt;
  }

  /// The value of a one-element BOOL tensor.
  static std::optional<bool> boolValue(const onnx::TensorProto &tensor) {
    if (tensor.data_type() != onnx::TensorProto::BOOL)
      return std::nullopt;
    if (tensor.has_raw_data() && tensor.raw_data().size() == 1)
      return tensor.raw_data()[0] != 0;
    if (tensor.int32_data_size() == 1)
      return tensor.int32_data(0) != 0;
    return std::nullopt;
  }

  /// Nodes are named by their name, or by their position when they have none.
  std::string nodeName(const onnx::NodeProto &node) {
    return node.name().empty() ? "#" + std::to_string(nodeIndex) : "'" + node.name() + "'";
  }

  llvm::Error nodeError(const onnx::NodeProto &node, const llvm::Twine &message) {
    return fail(path + ": node " + nodeName(node) + " (" + node.op_type() + ", opset " +
                llvm::Twine(opset) + "): " + message);
  }

  /// Checks `axis` against `rank` and makes a negative one count from the end.
  llvm::Error normalizeAxis(const onnx::NodeProto &node, int64_t &axis, int64_t rank) {
    if (axis < -rank || axis >= rank)
      return nodeError(node, "axis " + std::to_string(axis) + " is out of range");
    axis = axis < 0 ? axis + rank : axis;
    return llvm::Error::success();
  }

  llvm::Expected<Type> floatType(int32_t dataType, const llvm::Twine &what) {
    if (dataType == onnx::TensorProto::FLOAT)
      return Type(builder.getF32Type());
    if (dataType == onnx::TensorProto::DOUBLE)
      return Type(builder.getF64Type());
    return fail(path + ": " + what + " has element type " +
                onnx::TensorProto::DataType_Name(dataType) + " (expected FLOAT or DOUBLE)");
  }

  /// Refuses a tensor of more than kMaxTensorElements elements.
  llvm::Error checkSize(ArrayRef<int64_t> shape, const llvm::Twine &what) {
    if (checkedElementCount(shape))
      return llvm::Error::success();
    return fail(path + ": " + what + " has shape " + shapeText(shape) +
                ", more than 2^36 elements (the largest tensor supported)");
  }

  /// The dims of a stored tensor, each of which must be >= 1.
  llvm::Expected<SmallVector<int64_t>> storedShape(const onnx::TensorProto &tensor,
                                                   const llvm::Twine &what) {
    SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
    for (int64_t dim : shape)
      if (dim < 1)
        return fail(path + ": " + what + " has dimension " + llvm::Twine(dim) +
                    " (dimensions must be >= 1)");
    if (llvm::Error error = checkSize(shape, what))
      return std::move(error);
    return shape;
  }

  /// Checks that a stored tensor holds exactly one value per element.
  llvm::Error checkValueCount(const onnx::TensorProto &tensor, ArrayRef<int64_t> shape,
                              size_t elementSize, const llvm::Twine &what) {
    int64_t expected = checkedElementCount(shape).value_or(-1);
    int64_t stored;
    if (tensor.has_raw_data())
      stored = tensor.raw_data().size() / elementSize;
    else if (tensor.data_type() == onnx::TensorProto::FLOAT)
      stored = tensor.float_data_size();
    else if (tensor.data_type() == onnx::TensorProto::DOUBLE)
      stored = tensor.double_data_size();
    else
      stored = tensor.int64_data_size();
    bool exact = !tensor.has_raw_data() || tensor.raw_data().size() % elementSize == 0;
    if (stored != expected || !exact)
      return fail(path + ": " + what + " stores " + llvm::Twine(stored) + " values for " +
                  llvm::Twine(expected) + " elements");
    return llvm::Error::success();
  }

  /// The type of a stored float tensor, checked against the model's element
  /// type and against its own dims and value count.
  llvm::Expected<RankedTensorType> storedFloatType(const onnx::TensorProto &tensor,
                                                   const llvm::Twine &what) {
    auto type = floatType(tensor.data_type(), what);
    if (!type)
      return type.takeError();
    if (llvm::Error error = setElementType(*type, what))
      return std::move(error);
    auto shape = storedShape(tensor, what);
    if (!shape)
      return shape.takeError();
    if (llvm::Error error = checkValueCount(tensor, *shape, type->getIntOrFloatBitWidth() / 8, what))
      return std::move(error);
    return RankedTensorType::get(*shape, *type);
  }

  /// The values of an int64 shape tensor, checked.
  llvm::Expected<IntTensor> shapeValues(const onnx::TensorProto &tensor,
                                        const llvm::Twine &what) {
    auto shape = storedShape(tensor, what);
    if (!shape)
      return shape.takeError();
    if (llvm::Error error = checkValueCount(tensor, *shape, sizeof(int64_t), what))
      return std::move(error);
    return IntTensor{*shape, tensorValues<int64_t>(tensor)};
  }

  using ArgList = SmallVector<std::pair<Type, std::string>>;

  /// Float initializers become parameters, or running statistics (state that
  /// is not trained: BatchNormalization's mean and var); int64 ones are shape
  /// constants. Arguments: the parameters, then the statistics.
  llvm::Error importInitializers(const onnx::GraphProto &graph, ArgList &args) {
    llvm::StringSet<> statistics;
    for (const onnx::NodeProto &node : graph.node())
      if (node.op_type() == "BatchNormalization")
        for (int i = 3; i < std::min(node.input_size(), 5); ++i)
          statistics.insert(node.input(i));
    ArgList stats;
    SmallVector<std::string> statNames;
    for (const onnx::TensorProto &init : graph.initializer()) {
      std::string what = "initializer '" + init.name() + "'";
      if (std::optional<bool> flag = boolValue(init); flag && settings.contains(init.name())) {
        boolConstants[init.name()] = *flag;
        continue;
      }
      if (settings.contains(init.name())) {
        std::optional<double> value = floatScalar(init);
        if (!value)
          return fail(path + ": " + what +
                      ": a Clip bound, Dropout ratio or Pad value must be one float value");
        boundConstants[init.name()] = *value;
        continue;
      }
      if (init.data_type() == onnx::TensorProto::INT64) {
        auto values = shapeValues(init, what);
        if (!values)
          return values.takeError();
        shapeConstants[init.name()] = *values;
        continue;
      }
      auto type = storedFloatType(init, what);
      if (!type)
        return type.takeError();
      bool statistic = statistics.contains(init.name());
      (statistic ? stats : args).push_back({*type, (statistic ? "stat:" : "param:") + init.name()});
      (statistic ? statNames : argNames).push_back(init.name());
    }
    args.append(stats);
    argNames.append(statNames);
    return llvm::Error::success();
  }

  /// The one graph input that is not an initializer.
  llvm::Error importDataInput(const onnx::GraphProto &graph, ArgList &args) {
    const onnx::ValueInfoProto *input = nullptr;
    for (const onnx::ValueInfoProto &candidate : graph.input()) {
      if (llvm::is_contained(argNames, candidate.name()) ||
          shapeConstants.count(candidate.name()) || boundConstants.count(candidate.name()))
        continue;
      if (input)
        return fail(path + ": the graph has several data inputs ('" + input->name() +
                    "', '" + candidate.name() + "'); exactly one is supported");
      input = &candidate;
    }
    if (!input)
      return fail(path + ": the graph has no data input");
    auto inputType = dataInputType(*input);
    if (!inputType)
      return inputType.takeError();
    args.push_back({*inputType, "input"});
    argNames.push_back(input->name());
    return llvm::Error::success();
  }

  /// @forward(params..., stats..., input) -> logits, or in training form
  /// @forward_train(...) -> (logits, updated stats...), private: only the
  /// training step calls it.
  llvm::Error buildForward(const onnx::GraphProto &graph, ModuleOp module, bool training) {
    this->training = training;
    values.clear();
    shapeConstants.clear();
    boundConstants.clear();
    argNames.clear();
    updatedStats.clear();
    boolConstants.clear();
    settings.clear();
    for (const onnx::NodeProto &node : graph.node()) {
      bool fromInput1 = node.op_type() == "Clip" || node.op_type() == "Dropout";
      for (int i = fromInput1 ? 1 : 2; i < node.input_size(); ++i)
        if (fromInput1 || (node.op_type() == "Pad" && i == 2))
          settings.insert(node.input(i));
    }
    ArgList args;
    if (llvm::Error error = importInitializers(graph, args))
      return error;
    if (llvm::Error error = importDataInput(graph, args))
      return error;
    bool keyed = training && llvm::any_of(graph.node(), [&](const onnx::NodeProto &node) {
      return trainingDropout(graph, node);
    });
    if (keyed)
      args.push_back({RankedTensorType::get({}, elementType), "dropout_key"});
    if (graph.output_size() != 1)
      return fail(path + ": the graph must have exactly one output (the logits)");
    graphOutput = graph.output(0).name();

    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(module.getBody());
    SmallVector<Type> argTypes;
    for (auto &arg : args)
      argTypes.push_back(arg.first);
    auto fn = func::FuncOp::create(builder, module.getLoc(),
                                   training ? "forward_train" : "forward",
                                   builder.getFunctionType(argTypes, {}));
    Block *entry = fn.addEntryBlock();
    for (auto [name, arg] : llvm::zip(argNames, entry->getArguments()))
      values[name] = arg;
    dropoutKey = keyed ? entry->getArguments().back() : Value();
    builder.setInsertionPointToStart(entry);
    for (nodeIndex = 0; nodeIndex < graph.node_size(); ++nodeIndex)
      if (llvm::Error error = importNode(graph.node(nodeIndex)))
        return error;
    auto output = values.find(graph.output(0).name());
    if (output == values.end())
      return fail(path + ": the graph output '" + graph.output(0).name() + "' is not computed");
    if (options.requireParameters && !reachesParameter(output->second, args))
      return fail(path + ": no parameter (float initializer) reaches the graph output '" +
                  graph.output(0).name() + "': the model has nothing to train");
    ArrayRef<int64_t> logits = llvm::cast<RankedTensorType>(output->second.getType()).getShape();
    if (options.requireParameters && logits.size() != 2)
      return fail(path + ": the graph output '" + graph.output(0).name() + "' has shape " +
                  shapeText(logits) +
                  ", but a classifier's logits are [batch, classes]: end the model with a "
                  "Flatten and a Gemm, or Reshape its output to 2-D");
    SmallVector<Value> results{output->second};
    SmallVector<std::string> resultRoles{"logits"};
    if (training) {
      // Every statistic, updated or (a node in inference mode) as it was.
      for (auto [i, arg] : llvm::enumerate(args))
        if (StringRef(arg.second).starts_with("stat:")) {
          auto updated = updatedStats.find(argNames[i]);
          results.push_back(updated != updatedStats.end() ? updated->second
                                                          : entry->getArgument(i));
          resultRoles.push_back(arg.second);
        }
      fn.setPrivate();
    }
    func::ReturnOp::create(builder, fn.getLoc(), results);
    fn.setFunctionType(builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
    for (auto [i, arg] : llvm::enumerate(args))
      fn.setArgAttr(i, "marthe.role", builder.getStringAttr(arg.second));
    for (auto [i, role] : llvm::enumerate(resultRoles))
      fn.setResultAttr(i, "marthe.role", builder.getStringAttr(role));
    return llvm::Error::success();
  }


  /// Whether `value` depends on a parameter (an argument of role param:).
  static bool reachesParameter(Value value, const ArgList &args) {
    SmallVector<Value> pending{value};
    llvm::DenseSet<Value> seen;
    while (!pending.empty()) {
      Value next = pending.pop_back_val();
      if (!seen.insert(next).second)
        continue;
      if (auto arg = llvm::dyn_cast<BlockArgument>(next)) {
        unsigned index = arg.getArgNumber();
        if (index < args.size() && StringRef(args[index].second).starts_with("param:"))
          return true;
        continue;
      }
      llvm::append_range(pending, next.getDefiningOp()->getOperands());
    }
    return false;
  }

  llvm::Error setElementType(Type type, const llvm::Twine &what) {
    if (elementType && elementType != type)
      return fail(path + ": " + what + " mixes FLOAT and DOUBLE; one element type is supported");
    elementType = type;
    return llvm::Error::success();
  }

  llvm::Expected<Type> dataInputType(const onnx::ValueInfoProto &input) {
    const std::string what = "input '" + input.name() + "'";
    if (!input.type().has_tensor_type())
      return fail(path + ": " + what + " is not a tensor");
    const auto &tensor = input.type().tensor_type();
    auto type = floatType(tensor.elem_type(), what);
    if (!type)
      return type.takeError();
    if (llvm::Error error = setElementType(*type, what))
      return std::move(error);
    SmallVector<int64_t> shape;
    for (const auto &dim : tensor.shape().dim()) {
      if (dim.has_dim_value() && dim.dim_value() < 1)
        return fail(path + ": " + what + " has dimension " + llvm::Twine(dim.dim_value()) +
                    " (dimensions must be >= 1)");
      bool known = dim.has_dim_value();
      if (!known && !shape.empty())
        return fail(path + ": " + what + " has a symbolic dimension other than the first");
      if (known && shape.empty() && options.batchSizeGiven && dim.dim_value() != options.batchSize)
        return fail(path + ": " + what + " has a fixed batch dimension of " +
                    llvm::Twine(dim.dim_value()) + " but batch_size is " +
                    llvm::Twine(options.batchSize) +
                    ": export the model with a dynamic batch dimension, or set batch_size = " +
                    llvm::Twine(dim.dim_value()));
      shape.push_back(known ? dim.dim_value() : options.batchSize);
    }
    if (shape.empty())
      return fail(path + ": " + what + " must have a batch dimension");
    if (llvm::Error error = checkSize(shape, what))
      return std::move(error);
    return Type(RankedTensorType::get(shape, *type));
  }

  llvm::Expected<Value> operand(const onnx::NodeProto &node, int index) {
    if (index >= node.input_size() || node.input(index).empty())
      return nodeError(node, "missing input " + llvm::Twine(index));
    auto found = values.find(node.input(index));
    if (found == values.end())
      return nodeError(node, "input '" + node.input(index) + "' is not a float tensor "
                                                             "computed before this node");
    return found->second;
  }

  /// The first `count` inputs of `node`.
  llvm::Expected<SmallVector<Value>> operands(const onnx::NodeProto &node, int count) {
    SmallVector<Value> values;
    for (int i = 0; i < count; ++i) {
      auto value = operand(node, i);
      if (!value)
        return value.takeError();
      values.push_back(*value);
    }
    return values;
  }

  static const onnx::AttributeProto *attribute(const onnx::NodeProto &node, StringRef name) {
    for (const onnx::AttributeProto &attr : node.attribute())
      if (attr.name() == name)
        return &attr;
    return nullptr;
  }

  static int64_t intAttr(const onnx::NodeProto &node, StringRef name, int64_t fallback) {
    const onnx::AttributeProto *attr = attribute(node, name);
    return attr ? attr->i() : fallback;
  }

  static float floatAttr(const onnx::NodeProto &node, StringRef name, float fallback) {
    const onnx::AttributeProto *attr = attribute(node, name);
    return attr ? attr->f() : fallback;
  }

  Value scalar(double value) {
    return ConstantOp::createSplat(builder, loc, RankedTensorType::get({}, elementType), value);
  }

  llvm::Error importNode(const onnx::NodeProto &node) {
    loc = NameLoc::get(builder.getStringAttr(node.name().empty() ? node.op_type() : node.name()));
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      return nodeError(node, "domain '" + node.domain() + "' is not supported");
    if ((node.op_type() == "Softmax" || node.op_type() == "LogSoftmax") &&
        options.forTraining && node.output_size() == 1 && node.output(0) == graphOutput)
      return nodeError(node, "the model ends in " + node.op_type() +
                                 ", but the cross-entropy loss applies softmax to the logits "
                                 "itself: export the model without its final " +
                                 node.op_type());
    const SupportedOp *supported = findSupportedOp(node.op_type());
    if (!supported)
      return nodeError(node, "unsupported op type (supported: " + supportedOpNames() + ")");
    int version = onnxOpVersion(node.op_type(), opset);
    if (!llvm::is_contained(supported->versions, version)) {
      std::string versions;
      for (int v : supported->versions)
        versions += (versions.empty() ? "" : ", ") + std::to_string(v);
      return nodeError(node, node.op_type() + "-" + std::to_string(version) +
                                 " is not a supported version (supported: " + versions + ")");
    }
    bool extraOutputs = (node.op_type() == "BatchNormalization" && node.output_size() <= 3) ||
                        (node.op_type() == "Dropout" && node.output_size() <= 2);
    if (node.op_type() == "BatchNormalization" && version == 9 && node.output_size() != 1)
      return nodeError(node, "BatchNormalization-9 in its training form (" +
                                 std::to_string(node.output_size()) +
                                 " outputs) is not supported: export the model at opset 14 or "
                                 "later");
    if (node.output_size() != 1 && !extraOutputs)
      return nodeError(node, "expected one output");
    if (node.op_type() == "Constant")
      return importConstant(node);
    if (isFoldableIntegerOp(node.op_type()) && (computesInteger(node) || isIntegerOnlyOp(node.op_type())))
      return importIntegerNode(node);
    llvm::Expected<Value> result = importValueNode(node);
    if (!result)
      return result.takeError();
    if (!checkedElementCount(shapeOf(*result)))
      return nodeError(node, "the output has shape " + shapeText(shapeOf(*result)) +
                                 ", more than 2^36 elements (the largest tensor supported)");
    values[node.output(0)] = *result;
    return llvm::Error::success();
  }

  /// Whether `node` computes on integer tensors only (Shape: of any tensor).
  bool computesInteger(const onnx::NodeProto &node) {
    bool any = false;
    for (auto [i, name] : llvm::enumerate(node.input())) {
      if (name.empty())
        continue;
      bool shapeOfValue = node.op_type() == "Shape" && values.count(name);
      if (!shapeConstants.count(name) && !shapeOfValue)
        return false;
      any = true;
    }
    return any;
  }

  llvm::Error importIntegerNode(const onnx::NodeProto &node) {
    std::vector<IntTensor> shapesOfValues;
    shapesOfValues.reserve(node.input_size());
    SmallVector<const IntTensor *> inputs;
    for (const std::string &name : node.input()) {
      if (auto found = shapeConstants.find(name); found != shapeConstants.end()) {
        inputs.push_back(&found->second);
      } else if (auto value = values.find(name);
                 node.op_type() == "Shape" && value != values.end()) {
        shapesOfValues.push_back({SmallVector<int64_t>(shapeOf(value->second)), {}});
        inputs.push_back(&shapesOfValues.back());
      } else if (name.empty()) {
        inputs.push_back(nullptr);
      } else {
        return nodeError(node, "input '" + name + "' is not an integer constant (" +
                                   node.op_type() + " is supported on shapes and integer "
                                   "constants only)");
      }
    }
    auto error = [&](const llvm::Twine &message) { return nodeError(node, message); };
    ImportedNode imported{builder, loc, node, error};
    auto folded = foldIntegerNode(imported, inputs);
    if (!folded)
      return folded.takeError();
    shapeConstants[node.output(0)] = std::move(*folded);
    return llvm::Error::success();
  }

  llvm::Expected<Value> importValueNode(const onnx::NodeProto &node) {
    const std::string &op = node.op_type();
    if (op == "Gemm")
      return importGemm(node);
    if (op == "MatMul")
      return importMatMul(node);
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
      return importBinary(node);
    if (op == "Relu" || op == "Tanh" || op == "Sigmoid" || op == "LeakyRelu" ||
        op == "HardSigmoid" || op == "HardSwish" || op == "Erf")
      return importUnary(node);
    if (op == "Clip")
      return importClip(node);
    if (op == "ReduceMean")
      return importReduceMean(node);
    if (op == "Flatten")
      return importFlatten(node);
    if (op == "Reshape")
      return importReshape(node);
    if (op == "Transpose")
      return importTranspose(node);
    if (op == "Conv" || op == "MaxPool" || op == "AveragePool")
      return importWindow(node);
    if (op == "GlobalAveragePool")
      return importGlobalAveragePool(node);
    if (op == "BatchNormalization")
      return importBatchNormalization(node);
    if (op == "Pad")
      return importPad(node);
    if (op == "Dropout")
      return importDropout(node);
    if (op == "Softmax" || op == "LogSoftmax")
      return importSoftmax(node);
    if (op == "Concat")
      return importConcat(node);
    if (op == "Slice")
      return importSlice(node);
    assert(op == "Identity" && "importNode checks the op type");
    return operand(node, 0);
  }

  llvm::Expected<Value> importWindow(const onnx::NodeProto &node) {
    auto input = operand(node, 0);
    if (!input)
      return input.takeError();
    auto error = [&](const llvm::Twine &message) { return nodeError(node, message); };
    ImportedNode window{builder, loc, node, error};
    if (node.op_type() == "MaxPool")
      return importMaxPool(window, *input);
    if (node.op_type() == "AveragePool")
      return importAveragePool(window, *input);
    auto filter = operand(node, 1);
    if (!filter)
      return filter.takeError();
    std::optional<Value> bias;
    if (node.input_size() > 2 && !node.input(2).empty()) {
      auto value = operand(node, 2);
      if (!value)
        return value.takeError();
      bias = *value;
    }
    return importConv(window, *input, *filter, bias);
  }

  llvm::Expected<Value> importConcat(const onnx::NodeProto &node) {
    auto inputs = operands(node, node.input_size());
    if (!inputs)
      return inputs.takeError();
    if (inputs->empty())
      return nodeError(node, "needs at least one input");
    const onnx::AttributeProto *axisAttr = attribute(node, "axis");
    if (!axisAttr)
      return nodeError(node, "the axis attribute is required");
    auto first = llvm::cast<RankedTensorType>(inputs->front().getType());
    int64_t rank = first.getRank(), axis = axisAttr->i();
    if (llvm::Error error = normalizeAxis(node, axis, rank))
      return std::move(error);
    SmallVector<int64_t> shape(first.getShape());
    shape[axis] = 0;
    for (Value input : *inputs) {
      ArrayRef<int64_t> other = shapeOf(input);
      for (int64_t d = 0; d < rank; ++d)
        if (other.size() != size_t(rank) || (d != axis && other[d] != first.getDimSize(d)))
          return nodeError(node, "inputs " + shapeText(first.getShape()) + " and " +
                                     shapeText(other) + " do not join along axis " +
                                     std::to_string(axis));
      shape[axis] += other[axis];
    }
    if (inputs->size() == 1)
      return inputs->front();
    return Value(ConcatOp::create(builder, loc, RankedTensorType::get(shape, elementType),
                                  *inputs, builder.getI64IntegerAttr(axis)));
  }

  /// LogSoftmax along `axis` (default -1); Softmax is its exp.
  llvm::Expected<Value> importSoftmax(const onnx::NodeProto &node) {
    auto input = operand(node, 0);
    if (!input)
      return input.takeError();
    int64_t rank = shapeOf(*input).size(), axis = intAttr(node, "axis", -1);
    if (llvm::Error error = normalizeAxis(node, axis, rank))
      return std::move(error);
    Value logProbabilities = LogSoftmaxOp::create(builder, loc, input->getType(), *input,
                                                  builder.getI64IntegerAttr(axis));
    if (node.op_type() == "LogSoftmax")
      return logProbabilities;
    return Value(ExpOp::create(builder, loc, logProbabilities));
  }

  /// Dropout is the identity in @forward and where training_mode is not the
  /// constant true; in @forward_train it is marthe.dropout keyed by the
  /// function's dropout_key argument (its mask output is not a value).
  llvm::Expected<Value> importDropout(const onnx::NodeProto &node) {
    auto input = operand(node, 0);
    if (!input)
      return input.takeError();
    double ratio = 0.5;
    if (node.input_size() > 1 && !node.input(1).empty()) {
      auto bound = boundConstants.find(node.input(1));
      if (bound == boundConstants.end())
        return nodeError(node, "the ratio must be a constant");
      ratio = bound->second;
    }
    if (ratio < 0 || ratio >= 1)
      return nodeError(node, "the ratio must be in [0, 1), got " + std::to_string(ratio));
    bool trainingMode = false;
    if (node.input_size() > 2 && !node.input(2).empty()) {
      auto flag = boolConstants.find(node.input(2));
      if (flag == boolConstants.end())
        return nodeError(node, "training_mode must be a constant");
      trainingMode = flag->second;
    }
    if (!dropoutKey || !trainingMode || ratio == 0)
      return *input;
    return Value(DropoutOp::create(builder, loc, llvm::cast<RankedTensorType>(input->getType()),
                                   *input, dropoutKey, builder.getF64FloatAttr(ratio),
                                   builder.getI64IntegerAttr(nodeIndex)));
  }

  /// Slice of a float tensor: contiguous ranges (step 1), one marthe.slice
  /// an axis.
  llvm::Expected<Value> importSlice(const onnx::NodeProto &node) {
    auto input = operand(node, 0);
    if (!input)
      return input.takeError();
    SmallVector<const IntTensor *> bounds;
    for (int i = 1; i < node.input_size(); ++i) {
      auto found = shapeConstants.find(node.input(i));
      if (!node.input(i).empty() && found == shapeConstants.end())
        return nodeError(node, "input '" + node.input(i) + "' must be a constant or an initializer");
      bounds.push_back(node.input(i).empty() ? nullptr : &found->second);
    }
    auto error = [&](const llvm::Twine &message) { return nodeError(node, message); };
    ImportedNode imported{builder, loc, node, error};
    auto ranges = sliceRanges(imported, shapeOf(*input), bounds);
    if (!ranges)
      return ranges.takeError();
    Value sliced = *input;
    for (const SliceRange &range : *ranges) {
      if (range.step != 1)
        return nodeError(node, "step " + llvm::Twine(range.step) + " along axis " +
                                   llvm::Twine(range.axis) + " (only step 1 is supported on " +
                                   "float tensors)");
      if (range.end <= range.start)
        return nodeError(node, "leaves nothing along axis " + llvm::Twine(range.axis));
      SmallVector<int64_t> shape(shapeOf(sliced));
      if (shape[range.axis] == range.end - range.start)
        continue;
      shape[range.axis] = range.end - range.start;
      sliced = SliceOp::create(builder, loc, RankedTensorType::get(shape, elementType), sliced,
                               builder.getI64IntegerAttr(range.axis),
                               builder.getI64IntegerAttr(range.start));
    }
    return sliced;
  }

  /// Pad's settings are constants (pads, constant_value, axes); the padding
  /// itself is built in PadImport.cpp.
  llvm::Expected<Value> importPad(const onnx::NodeProto &node) {
    auto input = operand(node, 0);
    if (!input)
      return input.takeError();
    auto error = [&](const llvm::Twine &message) { return nodeError(node, message); };
    ImportedNode imported{builder, loc, node, error};
    const onnx::AttributeProto *modeAttr = attribute(node, "mode");
    auto mode = parsePadMode(imported, modeAttr ? modeAttr->s() : "constant");
    if (!mode)
      return mode.takeError();
    auto pads = node.input_size() > 1 ? shapeConstants.find(node.input(1)) : shapeConstants.end();
    if (pads == shapeConstants.end())
      return nodeError(node, "pads must be a constant or an initializer");
    double fill = 0.0;
    if (node.input_size() > 2 && !node.input(2).empty()) {
      auto value = boundConstants.find(node.input(2));
      if (value == boundConstants.end())
        return nodeError(node, "constant_value must be a constant");
      fill = value->second;
    }
    int64_t rank = shapeOf(*input).size();
    SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    if (node.input_size() > 3 && !node.input(3).empty()) {
      auto given = shapeConstants.find(node.input(3));
      if (given == shapeConstants.end())
        return nodeError(node, "axes must be a constant or an initializer");
      axes.assign(given->second.values.begin(), given->second.values.end());
      for (int64_t &axis : axes) {
        if (llvm::Error error = normalizeAxis(node, axis, rank))
          return std::move(error);
      }
    }
    return marthe::importPad(imported, *input, *mode, axes, pads->second.values, fill);
  }

  /// Its other outputs (the updated running statistics) are not values of
  /// the graph: they become results of @forward_train.
  llvm::Expected<Value> importBatchNormalization(const onnx::NodeProto &node) {
    auto inputs = operands(node, 5);
    if (!inputs)
      return inputs.takeError();
    for (int i : {3, 4})
      if (!llvm::is_contained(argNames, node.input(i)))
        return nodeError(node, "the running " + std::string(i == 3 ? "mean" : "var") +
                                   " must be an initializer");
    auto error = [&](const llvm::Twine &message) { return nodeError(node, message); };
    ImportedNode imported{builder, loc, node, error};
    auto norm = importBatchNorm(imported, (*inputs)[0], (*inputs)[1], (*inputs)[2], (*inputs)[3],
                                (*inputs)[4], training);
    if (!norm)
      return norm.takeError();
    if (norm->runningMean) {
      updatedStats[node.input(3)] = norm->runningMean;
      updatedStats[node.input(4)] = norm->runningVar;
    }
    return norm->output;
  }

  /// The mean over H and W of [N, C, H, W], as [N, C, 1, 1].
  llvm::Expected<Value> importGlobalAveragePool(const onnx::NodeProto &node) {
    auto input = operand(node, 0);
    if (!input)
      return input.takeError();
    ArrayRef<int64_t> shape = shapeOf(*input);
    if (shape.size() < 3)
      return nodeError(node, "the input must be [N, C, spatial...]");
    SmallVector<int64_t> kept(shape.take_front(2));
    kept.append(shape.size() - 2, 1);
    double count = 1;
    for (int64_t d : shape.drop_front(2))
      count *= d;
    Value sum = ReduceSumOp::create(builder, loc, RankedTensorType::get(kept, elementType), *input);
    return Value(MulOp::create(builder, loc, sum, scalar(1.0 / count)));
  }

  llvm::Expected<Value> importGemm(const onnx::NodeProto &node) {
    auto ab = operands(node, 2);
    if (!ab)
      return ab.takeError();
    Value a = (*ab)[0], b = (*ab)[1];
    bool transA = intAttr(node, "transA", 0), transB = intAttr(node, "transB", 0);
    if (tensorRank(a) != 2 || tensorRank(b) != 2)
      return nodeError(node, "A and B must be 2-D");
    if (contraction(a, transA) != contraction(b, !transB))
      return nodeError(node, "inner dimensions of A and B differ");
    Value y = MatmulOp::create(builder, loc, a, b, transA, transB);
    if (float alpha = floatAttr(node, "alpha", 1.0f); alpha != 1.0f)
      y = MulOp::create(builder, loc, scalar(alpha), y);
    if (node.input_size() < 3 || node.input(2).empty())
      return y;
    auto c = operand(node, 2);
    if (!c)
      return c.takeError();
    Value bias = *c;
    if (float beta = floatAttr(node, "beta", 1.0f); beta != 1.0f)
      bias = MulOp::create(builder, loc, scalar(beta), bias);
    return broadcastBinary<AddOp>(node, y, bias);
  }

  static int64_t tensorRank(Value v) { return llvm::cast<RankedTensorType>(v.getType()).getRank(); }
  static ArrayRef<int64_t> shapeOf(Value v) {
    return llvm::cast<RankedTensorType>(v.getType()).getShape();
  }
  static int64_t contraction(Value v, bool first) { return shapeOf(v)[first ? 0 : 1]; }

  llvm::Expected<Value> importMatMul(const onnx::NodeProto &node) {
    auto ab = operands(node, 2);
    if (!ab)
      return ab.takeError();
    Value a = (*ab)[0], b = (*ab)[1];
    if (tensorRank(a) != 2 || tensorRank(b) != 2)
      return nodeError(node, "only 2-D MatMul is supported");
    if (shapeOf(a)[1] != shapeOf(b)[0])
      return nodeError(node, "inner dimensions of A and B differ");
    return Value(MatmulOp::create(builder, loc, a, b, false, false));
  }

  /// Drops leading 1s so that numpy broadcasting becomes suffix broadcasting.
  Value squeezeLeadingOnes(Value v, size_t keepRank) {
    ArrayRef<int64_t> shape = shapeOf(v);
    size_t drop = 0;
    while (drop < shape.size() && shape.size() - drop > keepRank && shape[drop] == 1)
      ++drop;
    if (drop == 0)
      return v;
    auto type = RankedTensorType::get(shape.drop_front(drop), elementType);
    return ReshapeOp::create(builder, loc, type, v);
  }

  template <typename OpTy>
  llvm::Expected<Value> broadcastBinary(const onnx::NodeProto &node, Value lhs, Value rhs) {
    ArrayRef<int64_t> l = shapeOf(lhs), r = shapeOf(rhs);
    bool lhsIsFull = l.size() > r.size() || (l.size() == r.size() && !llvm::is_contained(l, 1));
    Value full = lhsIsFull ? lhs : rhs, other = lhsIsFull ? rhs : lhs;
    ArrayRef<int64_t> fullShape = shapeOf(full);
    Value squeezed = squeezeLeadingOnes(other, 0);
    ArrayRef<int64_t> s = shapeOf(squeezed);
    if (s.size() <= fullShape.size() && fullShape.take_back(s.size()) == s)
      return Value(lhsIsFull ? OpTy::create(builder, loc, full, squeezed)
                             : OpTy::create(builder, loc, squeezed, full));
    // General numpy broadcasting: both operands to the common shape.
    SmallVector<int64_t> shape(std::max(l.size(), r.size()), 1);
    for (ArrayRef<int64_t> operandShape : {l, r})
      for (auto [i, d] : llvm::enumerate(llvm::reverse(operandShape))) {
        int64_t &to = shape[shape.size() - 1 - i];
        if (d != 1 && to != 1 && d != to)
          return nodeError(node, "shapes " + shapeText(l) + " and " + shapeText(r) +
                                     " do not broadcast");
        to = d == 1 ? to : d;
      }
    Value left = broadcastTo(lhs, shape);
    Value right = broadcastTo(rhs, shape);
    return Value(OpTy::create(builder, loc, left, right));
  }

  /// `v` reshaped to the rank of `shape` (leading 1s) and broadcast to it.
  Value broadcastTo(Value v, ArrayRef<int64_t> shape) {
    SmallVector<int64_t> aligned(shape.size() - shapeOf(v).size(), 1);
    llvm::append_range(aligned, shapeOf(v));
    v = reshape(v, aligned);
    if (ArrayRef<int64_t>(aligned) == shape)
      return v;
    return BroadcastOp::create(builder, loc, RankedTensorType::get(shape, elementType), v);
  }

  /// The mean over `axes` (attribute up to opset 17, else input 1; none:
  /// all, unless noop_with_empty_axes), keeping the reduced dimensions as 1
  /// unless keepdims = 0.
  llvm::Expected<Value> importReduceMean(const onnx::NodeProto &node) {
    auto operand0 = operand(node, 0);
    if (!operand0)
      return operand0.takeError();
    Value x = *operand0;
    ArrayRef<int64_t> shape = shapeOf(x);
    int64_t rank = shape.size();
    SmallVector<int64_t> axes;
    if (const onnx::AttributeProto *attr = attribute(node, "axes"))
      axes.assign(attr->ints().begin(), attr->ints().end());
    else if (node.input_size() > 1 && !node.input(1).empty()) {
      auto found = shapeConstants.find(node.input(1));
      if (found == shapeConstants.end())
        return nodeError(node, "axes must be a constant or an initializer");
      axes.assign(found->second.values.begin(), found->second.values.end());
    }
    if (axes.empty() && intAttr(node, "noop_with_empty_axes", 0))
      return x;
    if (axes.empty())
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    for (int64_t &axis : axes) {
      if (llvm::Error error = normalizeAxis(node, axis, rank))
        return std::move(error);
    }
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
    Value sum = ReduceSumOp::create(builder, loc, RankedTensorType::get(kept, elementType), x);
    Value mean = MulOp::create(builder, loc, sum, scalar(1.0 / count));
    return intAttr(node, "keepdims", 1) ? mean : reshape(mean, squeezed);
  }

  static std::string shapeText(ArrayRef<int64_t> shape) {
    std::string text = "[";
    for (auto [i, d] : llvm::enumerate(shape))
      text += (i ? "," : "") + std::to_string(d);
    return text + "]";
  }

  llvm::Expected<Value> importBinary(const onnx::NodeProto &node) {
    auto ab = operands(node, 2);
    if (!ab)
      return ab.takeError();
    Value a = (*ab)[0], b = (*ab)[1];
    const std::string &op = node.op_type();
    if (op == "Add")
      return broadcastBinary<AddOp>(node, a, b);
    if (op == "Sub")
      return broadcastBinary<SubOp>(node, a, b);
    if (op == "Mul")
      return broadcastBinary<MulOp>(node, a, b);
    return broadcastBinary<DivOp>(node, a, b);
  }

  llvm::Expected<Value> importUnary(const onnx::NodeProto &node) {
    auto operand0 = operand(node, 0);
    if (!operand0)
      return operand0.takeError();
    Value x = *operand0;
    const std::string &op = node.op_type();
    if (op == "Relu")
      return Value(ReluOp::create(builder, loc, x));
    if (op == "Sigmoid")
      return Value(SigmoidOp::create(builder, loc, x));
    if (op == "LeakyRelu")
      return leakyRelu(x, floatAttr(node, "alpha", 0.01f));
    if (op == "HardSigmoid")
      return hardSigmoid(x, floatAttr(node, "alpha", 0.2f), floatAttr(node, "beta", 0.5f));
    if (op == "HardSwish")
      return Value(MulOp::create(builder, loc, x, hardSigmoid(x, 1.0 / 6, 0.5)));
    if (op == "Erf")
      return Value(ErfOp::create(builder, loc, x));
    return Value(TanhOp::create(builder, loc, x));
  }

  /// clamp(alpha x + beta, 0, 1): its derivative, alpha strictly inside the
  /// bounds and 0 outside, is PyTorch's; HardSwish is x hardSigmoid(x) with
  /// alpha 1/6 and beta 1/2.
  Value hardSigmoid(Value x, double alpha, double beta) {
    Value scaled = MulOp::create(builder, loc, scalar(alpha), x);
    Value affine = AddOp::create(builder, loc, scaled, scalar(beta));
    FloatAttr zero = builder.getF64FloatAttr(0), one = builder.getF64FloatAttr(1);
    return ClampOp::create(builder, loc, affine.getType(), affine, zero, one);
  }

  /// relu(x) - alpha relu(-x): x where x > 0, else alpha x; its derivatives
  /// are relu's.
  Value leakyRelu(Value x, float alpha) {
    Value positive = ReluOp::create(builder, loc, x);
    Value negative = ReluOp::create(builder, loc, NegOp::create(builder, loc, x));
    return SubOp::create(builder, loc, positive, MulOp::create(builder, loc, scalar(alpha), negative));
  }

  /// Clip's bound at input `index` (absent: none), a constant of the model.
  llvm::Expected<std::optional<double>> clipBound(const onnx::NodeProto &node, int index) {
    if (index >= node.input_size() || node.input(index).empty())
      return std::optional<double>();
    const std::string &name = node.input(index);
    if (auto found = boundConstants.find(name); found != boundConstants.end())
      return std::optional<double>(found->second);
    return nodeError(node, "bound '" + name + "' must be one constant value (an initializer "
                                              "or a Constant node)");
  }

  llvm::Expected<Value> importClip(const onnx::NodeProto &node) {
    auto x = operand(node, 0);
    if (!x)
      return x.takeError();
    auto lo = clipBound(node, 1);
    if (!lo)
      return lo.takeError();
    auto hi = clipBound(node, 2);
    if (!hi)
      return hi.takeError();
    auto attr = [&](std::optional<double> bound) {
      return bound ? builder.getF64FloatAttr(*bound) : FloatAttr();
    };
    return Value(ClampOp::create(builder, loc, x->getType(), *x, attr(*lo), attr(*hi)));
  }

  /// `perm`, by default the reversed dimensions.
  llvm::Expected<Value> importTranspose(const onnx::NodeProto &node) {
    auto operand0 = operand(node, 0);
    if (!operand0)
      return operand0.takeError();
    Value x = *operand0;
    int64_t rank = shapeOf(x).size();
    SmallVector<int64_t> permutation;
    if (const onnx::AttributeProto *perm = attribute(node, "perm"))
      permutation.assign(perm->ints().begin(), perm->ints().end());
    else
      for (int64_t d = rank - 1; d >= 0; --d)
        permutation.push_back(d);
    if (int64_t(permutation.size()) != rank)
      return nodeError(node, "perm must be a permutation of the input's " +
                                 std::to_string(rank) + " dimensions");
    SmallVector<bool> seen(rank, false);
    for (int64_t from : permutation) {
      if (from < 0 || from >= rank || seen[from])
        return nodeError(node, "perm must be a permutation of the input's " +
                                   std::to_string(rank) + " dimensions");
      seen[from] = true;
    }
    return Value(TransposeOp::create(builder, loc, x, permutation));
  }

  llvm::Expected<Value> importFlatten(const onnx::NodeProto &node) {
    auto operand0 = operand(node, 0);
    if (!operand0)
      return operand0.takeError();
    Value x = *operand0;
    ArrayRef<int64_t> shape = shapeOf(x);
    int64_t axis = intAttr(node, "axis", 1);
    if (axis < 0)
      axis += shape.size();
    if (axis < 0 || axis > (int64_t)shape.size())
      return nodeError(node, "axis out of range");
    int64_t outer = 1, inner = 1;
    for (auto [i, d] : llvm::enumerate(shape))
      (int64_t(i) < axis ? outer : inner) *= d;
    return reshape(x, {outer, inner});
  }

  Value reshape(Value x, ArrayRef<int64_t> shape) {
    if (shapeOf(x) == shape)
      return x;
    return ReshapeOp::create(builder, loc, RankedTensorType::get(shape, elementType), x);
  }

  llvm::Expected<Value> importReshape(const onnx::NodeProto &node) {
    auto operand0 = operand(node, 0);
    if (!operand0)
      return operand0.takeError();
    Value x = *operand0;
    auto found = node.input_size() > 1 ? shapeConstants.find(node.input(1)) : shapeConstants.end();
    if (found == shapeConstants.end())
      return nodeError(node, "the shape must be a constant or an initializer");
    ArrayRef<int64_t> input = shapeOf(x);
    int64_t total = llvm::cast<RankedTensorType>(x.getType()).getNumElements();
    bool allowZero = intAttr(node, "allowzero", 0);
    SmallVector<int64_t> shape;
    int64_t known = 1, inferred = -1;
    for (auto [i, d] : llvm::enumerate(found->second.values)) {
      int64_t dim = d == 0 && !allowZero && i < input.size() ? input[i] : d;
      if (dim < -1 || dim == 0 || (dim == -1 && inferred >= 0))
        return nodeError(node, "invalid target shape " + shapeText(found->second.values) +
                                   " (one -1 at most, other dimensions >= 1)");
      if (dim == -1)
        inferred = i;
      else if (llvm::MulOverflow(known, dim, known) || known > kMaxTensorElements)
        return nodeError(node, "cannot reshape " + shapeText(input) + " into " +
                                   shapeText(found->second.values));
      shape.push_back(dim);
    }
    if (inferred >= 0)
      shape[inferred] = total % known == 0 ? total / known : -1;
    if (checkedElementCount(shape) != total)
      return nodeError(node, "cannot reshape " + shapeText(input) + " into " + shapeText(shape));
    return reshape(x, shape);
  }

  llvm::Error importConstant(const onnx::NodeProto &node) {
    const onnx::AttributeProto *value = attribute(node, "value");
    if (!value || !value->has_t())
      return nodeError(node, "only the 'value' tensor form is supported");
    const onnx::TensorProto &tensor = value->t();
    std::string what = "node " + nodeName(node) + " (Constant): value";
    if (std::optional<bool> flag = boolValue(tensor)) {
      boolConstants[node.output(0)] = *flag;
      return llvm::Error::success();
    }
    if (settings.contains(node.output(0))) {
      std::optional<double> value = floatScalar(tensor);
      if (!value)
        return nodeError(node, "a Clip bound, Dropout ratio or Pad value must be one float value");
      boundConstants[node.output(0)] = *value;
      return llvm::Error::success();
    }
    if (tensor.data_type() == onnx::TensorProto::INT64) {
      auto values = shapeValues(tensor, what);
      if (!values)
        return values.takeError();
      shapeConstants[node.output(0)] = *values;
      return llvm::Error::success();
    }
    auto stored = storedFloatType(tensor, what);
    if (!stored)
      return stored.takeError();
    RankedTensorType tensorType = *stored;
    Type type = tensorType.getElementType();
    DenseElementsAttr attr =
        type.isF32() ? DenseElementsAttr::get(tensorType, llvm::ArrayRef(tensorValues<float>(tensor)))
                      : DenseElementsAttr::get(tensorType, llvm::ArrayRef(tensorValues<double>(tensor)));
    values[node.output(0)] = ConstantOp::create(builder, loc, tensorType, attr);
    return llvm::Error::success();
  }

  MLIRContext *context;
  OpBuilder builder;
  std::string path;
  ImportOptions options;
  int64_t opset = 0;
  int nodeIndex = 0;
  Type elementType;
  /// The name of the graph's output (the logits).
  std::string graphOutput;
  /// Clip bounds given as initializers.
  llvm::StringMap<double> boundConstants;
  Location loc = UnknownLoc::get(context);
  std::map<std::string, Value> values;
  /// Integer tensors: int64 initializers and constants, and what the
  /// importer computes from them (ShapeFolding.cpp).
  std::map<std::string, IntTensor> shapeConstants;
  SmallVector<std::string> argNames;
  /// Whether @forward_train is being imported, and the statistics it updates.
  bool training = false;
  std::map<std::string, Value> updatedStats;
  /// @forward_train's dropout_key argument, when it has one.
  Value dropoutKey;
  llvm::StringMap<bool> boolConstants;
  /// Constants that are settings of a node, not values of the model: Clip's
  /// bounds, Dropout's ratio and training_mode, Pad's constant_value (float32
  /// even in float64 models).
  llvm::StringSet<> settings;
};

} // namespace

/// A model of an opset before kMinOpset (most published files and older
/// exporters use 9 to 12) is upgraded by ONNX's version converter, with a
/// note; only what the converter cannot convert is refused.
static llvm::Error upgradeOldOpset(onnx::ModelProto &model, StringRef path) {
  int64_t opset = kMinOpset;
  for (const auto &import : model.opset_import())
    if (import.domain().empty() || import.domain() == "ai.onnx")
      opset = import.version();
  if (opset >= kMinOpset)
    return llvm::Error::success();
  if (std::string problem = upgradeOpset(model, kMinOpset); !problem.empty())
    return fail(path + ": opset " + llvm::Twine(opset) +
                " of the default ONNX domain is not supported and cannot be upgraded to " +
                llvm::Twine(kMinOpset) + ": " + problem);
  llvm::errs() << "marthe-compile: note: " << path << ": opset " << opset
               << " upgraded to " << kMinOpset << " by ONNX's version converter\n";
  return llvm::Error::success();
}

llvm::Expected<OwningOpRef<ModuleOp>> importOnnxBytes(MLIRContext *context, StringRef bytes,
                                                      StringRef path,
                                                      const ImportOptions &options) {
  onnx::ModelProto model;
  if (bytes.size() > size_t(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(bytes.data(), int(bytes.size())) || !model.has_graph())
    return fail(path + ": not a valid ONNX model (the protobuf does not parse)");
  if (llvm::Error error = upgradeOldOpset(model, path))
    return std::move(error);
  context->loadDialect<MartheDialect, func::FuncDialect>();
  return Importer(context, path, options).run(model);
}

llvm::Expected<OwningOpRef<ModuleOp>>
importOnnxFile(MLIRContext *context, StringRef path, const ImportOptions &options) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return fail(path + ": cannot open file: " + buffer.getError().message());
  return importOnnxBytes(context, (*buffer)->getBuffer(), path, options);
}

} // namespace marthe
