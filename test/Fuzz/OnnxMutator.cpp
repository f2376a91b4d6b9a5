// A structure-aware mutation of ONNX models for libFuzzer: most byte-level
// mutations of a protobuf are refused by the parser or by ONNX's checker, so
// the passes behind the importer would rarely be reached. This one parses the
// model, changes one thing a model author (or an attacker) could change —
// an attribute, a dimension, an op type, an edge, a node, a weight, the
// opset — and writes it back; what no longer parses is mutated as bytes.

#include "test/Fuzz/OnnxMutator.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

namespace marthe::fuzz {
namespace {

using Random = std::mt19937_64;

const char *const kUnaryOps[] = {"Relu",     "Tanh",       "Sigmoid",           "Softmax",
                                 "LogSoftmax", "Identity", "Dropout",           "LeakyRelu",
                                 "Transpose", "Flatten",   "GlobalAveragePool", "MaxPool",
                                 "AveragePool", "Clip",    "ReduceMean"};
const char *const kBinaryOps[] = {"Add", "Sub", "Mul", "Div", "Concat", "MatMul", "Gemm", "Conv"};

template <size_t N> const char *pick(Random &random, const char *const (&names)[N]) {
  return names[random() % N];
}

int64_t smallValue(Random &random) {
  static const int64_t values[] = {-2, -1, 0, 1, 1, 2, 2, 3, 4, 5, 7, 1 << 20, int64_t(1) << 31};
  return values[random() % (sizeof(values) / sizeof(values[0]))];
}

/// Every value a node may read: graph inputs, initializers, node outputs.
std::vector<std::string> valueNames(const onnx::GraphProto &graph) {
  std::vector<std::string> names;
  for (const auto &input : graph.input())
    names.push_back(input.name());
  for (const auto &init : graph.initializer())
    names.push_back(init.name());
  for (const auto &node : graph.node())
    for (const std::string &output : node.output())
      if (!output.empty())
        names.push_back(output);
  return names;
}

void mutateIntAttribute(onnx::GraphProto &graph, Random &random) {
  onnx::NodeProto &node = *graph.mutable_node(int(random() % graph.node_size()));
  if (node.attribute_size() == 0) {
    onnx::AttributeProto *axis = node.add_attribute();
    axis->set_name(random() % 2 ? "axis" : "keepdims");
    axis->set_type(onnx::AttributeProto::INT);
    axis->set_i(smallValue(random));
    return;
  }
  onnx::AttributeProto &attr = *node.mutable_attribute(int(random() % node.attribute_size()));
  if (attr.ints_size() > 0) {
    if (random() % 4 == 0)
      attr.add_ints(smallValue(random)); // a rank the node does not have
    else
      attr.set_ints(int(random() % attr.ints_size()), smallValue(random));
  } else if (attr.type() == onnx::AttributeProto::FLOAT) {
    static const float values[] = {0.0f, -1.0f, 1e30f, std::numeric_limits<float>::quiet_NaN()};
    attr.set_f(values[random() % 4]);
  } else {
    attr.set_i(smallValue(random));
  }
}

void mutateInputDims(onnx::GraphProto &graph, Random &random) {
  if (graph.input_size() == 0)
    return;
  auto *shape = graph.mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  switch (random() % 3) {
  case 0:
    if (shape->dim_size() > 1)
      shape->mutable_dim(1 + int(random() % (shape->dim_size() - 1)))
          ->set_dim_value(1 + int64_t(random() % 9));
    break;
  case 1:
    shape->add_dim()->set_dim_value(1 + int64_t(random() % 4));
    break;
  default:
    if (shape->dim_size() > 1)
      shape->mutable_dim()->RemoveLast();
  }
}

void replaceOpType(onnx::GraphProto &graph, Random &random) {
  onnx::NodeProto &node = *graph.mutable_node(int(random() % graph.node_size()));
  node.set_op_type(node.input_size() >= 2 ? pick(random, kBinaryOps) : pick(random, kUnaryOps));
}

void rewireInput(onnx::GraphProto &graph, Random &random) {
  std::vector<std::string> names = valueNames(graph);
  onnx::NodeProto &node = *graph.mutable_node(int(random() % graph.node_size()));
  if (node.input_size() == 0 || names.empty())
    return;
  node.set_input(int(random() % node.input_size()), names[random() % names.size()]);
}

void addWindowAttributes(onnx::NodeProto &node, Random &random) {
  int rank = random() % 4 == 0 ? 1 : 2;
  onnx::AttributeProto *kernel = node.add_attribute();
  kernel->set_name("kernel_shape");
  kernel->set_type(onnx::AttributeProto::INTS);
  for (int i = 0; i < rank; ++i)
    kernel->add_ints(1 + int64_t(random() % 3));
  if (random() % 2) {
    onnx::AttributeProto *strides = node.add_attribute();
    strides->set_name("strides");
    strides->set_type(onnx::AttributeProto::INTS);
    for (int i = 0; i < rank; ++i)
      strides->add_ints(1 + int64_t(random() % 2));
  }
}

/// A new node reading a value, whose output replaces that value in one later
/// reader.
void insertNode(onnx::GraphProto &graph, Random &random) {
  int at = int(random() % graph.node_size());
  onnx::NodeProto &reader = *graph.mutable_node(at);
  if (reader.input_size() == 0)
    return;
  int slot = int(random() % reader.input_size());
  std::string value = reader.input(slot), output = value + "_mutant" + std::to_string(random() % 1000);
  onnx::NodeProto inserted;
  bool binary = random() % 4 == 0;
  inserted.set_op_type(binary ? pick(random, kBinaryOps) : pick(random, kUnaryOps));
  inserted.set_name("mutant");
  inserted.add_input(value);
  if (binary)
    inserted.add_input(value);
  inserted.add_output(output);
  if (inserted.op_type() == "MaxPool" || inserted.op_type() == "AveragePool")
    addWindowAttributes(inserted, random);
  if (inserted.op_type() == "Concat" || inserted.op_type() == "Softmax") {
    onnx::AttributeProto *axis = inserted.add_attribute();
    axis->set_name("axis");
    axis->set_type(onnx::AttributeProto::INT);
    axis->set_i(int64_t(random() % 3) - 1);
  }
  reader.set_input(slot, output);
  auto *nodes = graph.mutable_node();
  nodes->Add(std::move(inserted));
  for (int i = nodes->size() - 1; i > at; --i) // keep the graph topologically sorted
    nodes->SwapElements(i, i - 1);
}

/// A node removed; its readers read its first input instead.
void deleteNode(onnx::GraphProto &graph, Random &random) {
  if (graph.node_size() < 2)
    return;
  int at = int(random() % graph.node_size());
  const onnx::NodeProto &removed = graph.node(at);
  if (removed.input_size() == 0 || removed.output_size() == 0)
    return;
  std::string from = removed.output(0), to = removed.input(0);
  for (onnx::NodeProto &node : *graph.mutable_node())
    for (std::string &input : *node.mutable_input())
      if (input == from)
        input = to;
  for (auto &output : *graph.mutable_output())
    if (output.name() == from)
      output.set_name(to);
  graph.mutable_node()->DeleteSubrange(at, 1);
}

void mutateInitializer(onnx::GraphProto &graph, Random &random) {
  if (graph.initializer_size() == 0)
    return;
  onnx::TensorProto &tensor = *graph.mutable_initializer(int(random() % graph.initializer_size()));
  if (random() % 3 == 0 && tensor.dims_size() > 1) { // the same values in another shape
    std::reverse(tensor.mutable_dims()->begin(), tensor.mutable_dims()->end());
    return;
  }
  static const float specials[] = {0.0f, -0.0f, 1e38f, -1e38f, std::numeric_limits<float>::infinity(),
                                   std::numeric_limits<float>::quiet_NaN(), 1e-45f};
  float value = specials[random() % (sizeof(specials) / sizeof(specials[0]))];
  if (tensor.data_type() == onnx::TensorProto::FLOAT && tensor.has_raw_data() &&
      tensor.raw_data().size() >= sizeof(float)) {
    std::string &raw = *tensor.mutable_raw_data();
    size_t at = random() % (raw.size() / sizeof(float));
    std::memcpy(&raw[at * sizeof(float)], &value, sizeof(float));
  } else if (tensor.float_data_size() > 0) {
    tensor.set_float_data(int(random() % tensor.float_data_size()), value);
  } else if (tensor.int64_data_size() > 0) {
    tensor.set_int64_data(int(random() % tensor.int64_data_size()), smallValue(random));
  }
}

void mutateOpset(onnx::ModelProto &model, Random &random) {
  if (model.opset_import_size() == 0)
    model.add_opset_import()->set_domain("");
  model.mutable_opset_import(0)->set_version(11 + int64_t(random() % 12));
}

/// The declared output keeps its rank, not its sizes (which ONNX's shape
/// inference would otherwise find contradicted by most mutations).
void relaxOutputShapes(onnx::GraphProto &graph) {
  graph.clear_value_info();
  for (auto &output : *graph.mutable_output()) {
    auto *shape = output.mutable_type()->mutable_tensor_type()->mutable_shape();
    for (int i = 0; i < shape->dim_size(); ++i)
      shape->mutable_dim(i)->set_dim_param("out" + std::to_string(i));
  }
}

} // namespace

size_t mutateOnnxModel(uint8_t *data, size_t size, size_t maxSize, unsigned seed) {
  onnx::ModelProto model;
  if (!model.ParseFromArray(data, int(size)) || model.graph().node_size() == 0)
    return LLVMFuzzerMutate(data, size, maxSize);
  Random random(seed);
  if (random() % 8 == 0) // the bytes now and then, for what the parser lets through
    return LLVMFuzzerMutate(data, size, maxSize);
  onnx::GraphProto &graph = *model.mutable_graph();
  switch (random() % 10) {
  case 0:
  case 1:
    mutateIntAttribute(graph, random);
    break;
  case 2:
    mutateInputDims(graph, random);
    break;
  case 3:
    replaceOpType(graph, random);
    break;
  case 4:
    rewireInput(graph, random);
    break;
  case 5:
  case 6:
    insertNode(graph, random);
    break;
  case 7:
    deleteNode(graph, random);
    break;
  case 8:
    mutateInitializer(graph, random);
    break;
  default:
    mutateOpset(model, random);
  }
  relaxOutputShapes(graph);
  std::string bytes = model.SerializeAsString();
  if (bytes.size() > maxSize)
    return LLVMFuzzerMutate(data, size, maxSize);
  std::memcpy(data, bytes.data(), bytes.size());
  return bytes.size();
}

} // namespace marthe::fuzz
