#include "runtime/SeededInit.h"

#include "runtime/Error.h"

#include <onnx/onnx_pb.h>

#include <climits>
#include <cmath>
#include <unordered_map>

namespace marthe::rt {
namespace {

using Shapes = std::unordered_map<std::string, std::vector<int64_t>>;

int64_t product(const std::vector<int64_t> &dims, size_t from) {
  int64_t n = 1;
  for (size_t i = from; i < dims.size(); ++i)
    n *= dims[i];
  return n;
}

bool transposesB(const onnx::NodeProto &gemm) {
  for (const onnx::AttributeProto &attribute : gemm.attribute())
    if (attribute.name() == "transB")
      return attribute.i() != 0;
  return false;
}

/// The fan-in of a layer's weight, or 0 when `node` does not read `weight`
/// as one.
int64_t weightFanIn(const onnx::NodeProto &node, const std::vector<int64_t> &dims) {
  if (dims.size() < 2)
    return 0;
  if (node.op_type() == "Gemm") // [out, in] with transB, else [in, out]
    return transposesB(node) ? dims[1] : dims[0];
  if (node.op_type() == "MatMul")
    return dims[dims.size() - 2];
  return product(dims, 1); // Conv: [Cout, Cin / groups, k...]
}

InitRule uniform(int64_t fanIn) {
  return {InitRule::Kind::Uniform, fanIn > 0 ? 1.0 / std::sqrt(double(fanIn)) : 0.0, 0};
}

InitRule constant(double value) { return {InitRule::Kind::Constant, 0, value}; }

class RuleFinder {
public:
  RuleFinder(const onnx::GraphProto &graph) : graph_(graph) {
    for (const onnx::TensorProto &init : graph.initializer())
      shapes_[init.name()].assign(init.dims().begin(), init.dims().end());
    for (const onnx::NodeProto &node : graph.node())
      for (const std::string &output : node.output())
        producers_[output] = &node;
  }

  std::map<std::string, InitRule> rules() {
    std::map<std::string, InitRule> rules;
    for (const onnx::NodeProto &node : graph_.node())
      for (int i = 0; i < node.input_size(); ++i) {
        const std::string &name = node.input(i);
        if (shapes_.count(name) && !rules.count(name))
          rules[name] = ruleOf(node, i, shapes_[name]);
      }
    for (const auto &[name, dims] : shapes_) // unused initializers
      if (!rules.count(name))
        rules[name] = dims.size() >= 2 ? uniform(product(dims, 1)) : constant(0);
    return rules;
  }

private:
  InitRule ruleOf(const onnx::NodeProto &node, int input, const std::vector<int64_t> &dims) {
    const std::string &op = node.op_type();
    bool layer = op == "Gemm" || op == "Conv" || op == "MatMul";
    if (layer && input == 1)
      return uniform(weightFanIn(node, dims));
    if ((op == "Gemm" || op == "Conv") && input == 2)
      return uniform(layerFanIn(node));
    if (op == "BatchNormalization" && (input == 1 || input == 2))
      return constant(input == 1 ? 1.0 : 0.0);
    if (op == "Add" && dims.size() <= 1) // a MatMul's or Conv's bias
      for (const std::string &operand : node.input())
        if (auto producer = producers_.find(operand); producer != producers_.end())
          if (int64_t fanIn = layerFanIn(*producer->second))
            return uniform(fanIn);
    return dims.size() >= 2 ? uniform(product(dims, 1)) : constant(0);
  }

  /// The fan-in of `node`'s weight (its input 1), 0 for other nodes.
  int64_t layerFanIn(const onnx::NodeProto &node) {
    const std::string &op = node.op_type();
    if ((op != "Gemm" && op != "Conv" && op != "MatMul") || node.input_size() < 2)
      return 0;
    auto weight = shapes_.find(node.input(1));
    return weight == shapes_.end() ? 0 : weightFanIn(node, weight->second);
  }

  const onnx::GraphProto &graph_;
  Shapes shapes_;
  std::unordered_map<std::string, const onnx::NodeProto *> producers_;
};

} // namespace

std::map<std::string, InitRule> seededInitRules(const void *bytes, size_t size,
                                                const std::string &sourceName) {
  onnx::ModelProto model;
  if (size > INT_MAX || !model.ParseFromArray(bytes, static_cast<int>(size)))
    throw Error(sourceName + ": not a valid ONNX model");
  return RuleFinder(model.graph()).rules();
}

std::vector<double> drawParameter(const InitRule &rule, int64_t count, std::mt19937_64 &rng) {
  std::vector<double> values(count, rule.value);
  if (rule.kind == InitRule::Kind::Uniform) {
    std::uniform_real_distribution<double> uniform(-rule.bound, rule.bound);
    for (double &v : values)
      v = uniform(rng);
  }
  return values;
}

} // namespace marthe::rt
