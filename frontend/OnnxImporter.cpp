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
        if (const onnx::AttributeProto *value = findAttribute(other, "value"))
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
      if (std::optional<bool> flag = boolValue(init); flag && settingNames.contains(init.name())) {
        state.flags[init.name()] = *flag;
        continue;
      }
      if (settingNames.contains(init.name())) {
        std::optional<double> value = floatScalar(init);
        if (!value)
          return fail(path + ": " + what +
                      ": a Clip bound, Dropout ratio or Pad value must be one float value");
        state.settings[init.name()] = *value;
        continue;
      }
      if (init.data_type() == onnx::TensorProto::INT64) {
        auto values = shapeValues(init, what);
        if (!values)
          return values.takeError();
        state.shapeConstants[init.name()] = *values;
        continue;
      }
      auto type = storedFloatType(init, what);
      if (!type)
        return type.takeError();
      bool statistic = statistics.contains(init.name());
      (statistic ? stats : args).push_back({*type, (statistic ? "stat:" : "param:") + init.name()});
      (statistic ? statNames : state.argNames).push_back(init.name());
    }
    args.append(stats);
    state.argNames.append(statNames);
    return llvm::Error::success();
  }

  /// The one graph input that is not an initializer.
  llvm::Error importDataInput(const onnx::GraphProto &graph, ArgList &args) {
    const onnx::ValueInfoProto *input = nullptr;
    for (const onnx::ValueInfoProto &candidate : graph.input()) {
      if (llvm::is_contained(state.argNames, candidate.name()) ||
          state.shapeConstants.count(candidate.name()) || state.settings.count(candidate.name()))
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
    state.argNames.push_back(input->name());
    return llvm::Error::success();
  }

  /// @forward(params..., stats..., input) -> logits, or in training form
  /// @forward_train(...) -> (logits, updated stats...), private: only the
  /// training step calls it.
  llvm::Error buildForward(const onnx::GraphProto &graph, ModuleOp module, bool training) {
    state.training = training;
    state.values.clear();
    state.shapeConstants.clear();
    state.settings.clear();
    state.argNames.clear();
    state.updatedStats.clear();
    state.flags.clear();
    settingNames.clear();
    for (const onnx::NodeProto &node : graph.node()) {
      bool fromInput1 = node.op_type() == "Clip" || node.op_type() == "Dropout";
      for (int i = fromInput1 ? 1 : 2; i < node.input_size(); ++i)
        if (fromInput1 || (node.op_type() == "Pad" && i == 2))
          settingNames.insert(node.input(i));
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
      args.push_back({RankedTensorType::get({}, state.elementType), "dropout_key"});
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
    for (auto [name, arg] : llvm::zip(state.argNames, entry->getArguments()))
      state.values[name] = arg;
    state.dropoutKey = keyed ? entry->getArguments().back() : Value();
    builder.setInsertionPointToStart(entry);
    for (nodeIndex = 0; nodeIndex < graph.node_size(); ++nodeIndex)
      if (llvm::Error error = importNode(graph.node(nodeIndex)))
        return error;
    auto output = state.values.find(graph.output(0).name());
    if (output == state.values.end())
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
          auto updated = state.updatedStats.find(state.argNames[i]);
          results.push_back(updated != state.updatedStats.end() ? updated->second
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
    if (state.elementType && state.elementType != type)
      return fail(path + ": " + what + " mixes FLOAT and DOUBLE; one element type is supported");
    state.elementType = type;
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

  static int64_t intAttr(const onnx::NodeProto &node, StringRef name, int64_t fallback) {
    const onnx::AttributeProto *attr = findAttribute(node, name);
    return attr ? attr->i() : fallback;
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
    const OpRegistry &registry = OpRegistry::onnx();
    const OpEntry *entry = registry.lookup(node.op_type());
    if (!entry)
      return nodeError(node, "unsupported op type (supported: " + registry.names() + ")");
    int version = onnxOpVersion(node.op_type(), opset);
    if (!llvm::is_contained(entry->versions, version)) {
      std::string versions;
      for (int v : entry->versions)
        versions += (versions.empty() ? "" : ", ") + std::to_string(v);
      return nodeError(node, node.op_type() + "-" + std::to_string(version) +
                                 " is not a supported version (supported: " + versions + ")");
    }
    if (node.output_size() > entry->outputs || node.output_size() < 1)
      return nodeError(node, "expected one output");
    if (node.op_type() == "Constant")
      return importConstant(node);
    if (entry->folding == IntegerFolding::Always ||
        (entry->folding == IntegerFolding::WhenConstant && computesInteger(node)))
      return importIntegerNode(node);
    auto error = [&](const llvm::Twine &message) { return nodeError(node, message); };
    NodeImport imported(ImportedNode{builder, loc, node, error}, state, version, nodeIndex);
    llvm::Expected<Value> result = entry->handler(imported);
    if (!result)
      return result.takeError();
    if (!checkedElementCount(shapeOf(*result)))
      return nodeError(node, "the output has shape " + shapeText(shapeOf(*result)) +
                                 ", more than 2^36 elements (the largest tensor supported)");
    state.values[node.output(0)] = *result;
    return llvm::Error::success();
  }

  /// Whether `node` computes on integer tensors only (Shape: of any tensor).
  bool computesInteger(const onnx::NodeProto &node) {
    bool any = false;
    for (auto [i, name] : llvm::enumerate(node.input())) {
      if (name.empty())
        continue;
      bool shapeOfValue = node.op_type() == "Shape" && state.values.count(name);
      if (!state.shapeConstants.count(name) && !shapeOfValue)
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
      if (auto found = state.shapeConstants.find(name); found != state.shapeConstants.end()) {
        inputs.push_back(&found->second);
      } else if (auto value = state.values.find(name);
                 node.op_type() == "Shape" && value != state.values.end()) {
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
    state.shapeConstants[node.output(0)] = std::move(*folded);
    return llvm::Error::success();
  }

  llvm::Error importConstant(const onnx::NodeProto &node) {
    const onnx::AttributeProto *value = findAttribute(node, "value");
    if (!value || !value->has_t())
      return nodeError(node, "only the 'value' tensor form is supported");
    const onnx::TensorProto &tensor = value->t();
    std::string what = "node " + nodeName(node) + " (Constant): value";
    if (std::optional<bool> flag = boolValue(tensor)) {
      state.flags[node.output(0)] = *flag;
      return llvm::Error::success();
    }
    if (settingNames.contains(node.output(0))) {
      std::optional<double> value = floatScalar(tensor);
      if (!value)
        return nodeError(node, "a Clip bound, Dropout ratio or Pad value must be one float value");
      state.settings[node.output(0)] = *value;
      return llvm::Error::success();
    }
    if (tensor.data_type() == onnx::TensorProto::INT64) {
      auto values = shapeValues(tensor, what);
      if (!values)
        return values.takeError();
      state.shapeConstants[node.output(0)] = *values;
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
    state.values[node.output(0)] = ConstantOp::create(builder, loc, tensorType, attr);
    return llvm::Error::success();
  }

  MLIRContext *context;
  OpBuilder builder;
  std::string path;
  ImportOptions options;
  int64_t opset = 0;
  int nodeIndex = 0;
  /// The name of the graph's output (the logits).
  std::string graphOutput;
  Location loc = UnknownLoc::get(context);
  GraphState state;
  /// The names of constants that are settings of a node, not values of the
  /// model: Clip's bounds, Dropout's ratio and training_mode, Pad's
  /// constant_value (float32 even in float64 models).
  llvm::StringSet<> settingNames;
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
