#pragma once

// `init = "seeded"`: the parameters drawn from the seed as PyTorch initializes
// each layer kind, so that seeded runs compare with PyTorch's.

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace marthe::rt {

/// How a parameter is drawn.
struct InitRule {
  enum class Kind {
    Uniform,  // U(-bound, bound)
    Constant, // every element `value`
  };
  Kind kind = Kind::Uniform;
  double bound = 0, value = 0;
};

/// The rule of every float initializer of the model, by name, from the node
/// that reads it first (PyTorch's defaults, kaiming_uniform with a = sqrt(5)):
/// a Gemm, MatMul or Conv weight U(±1/sqrt(fan_in)) over its true fan-in
/// (Conv: input channels per group times the kernel's size); their bias (Gemm
/// and Conv input C, or an Add of a MatMul's result) U(±1/sqrt(fan_in)) of the
/// same layer; BatchNormalization's scale 1 and bias 0. Other tensors of rank
/// 2 or more are drawn as weights over the product of their trailing
/// dimensions, other vectors are 0.
std::map<std::string, InitRule> seededInitRules(const void *modelBytes, size_t size,
                                                const std::string &sourceName);

/// `count` values drawn by `rule`.
std::vector<double> drawParameter(const InitRule &rule, int64_t count, std::mt19937_64 &rng);

} // namespace marthe::rt
