#pragma once

// Buffers for the compiled functions of a program, bound by role.

#include "runtime/Abi.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace marthe::rt {

int64_t elementCount(const TensorSpec &spec);
size_t elementSize(DType dtype);

/// A host tensor laid out as its spec says.
struct Tensor {
  const TensorSpec *spec = nullptr;
  std::vector<unsigned char> bytes;

  explicit Tensor(const TensorSpec &spec);
  int64_t size() const { return elementCount(*spec); }
  double get(int64_t i) const;
  void set(int64_t i, double value);
};

/// One compiled function with its own argument and result tensors.
class Function {
public:
  explicit Function(const FunctionSpec &spec);

  const FunctionSpec &spec() const { return *spec_; }
  bool hasArg(const std::string &role) const { return argIndex_.count(role) != 0; }
  Tensor &arg(const std::string &role);
  Tensor &result(const std::string &role);
  std::vector<Tensor> &args() { return args_; }
  std::vector<Tensor> &results() { return results_; }

  void call();
  /// Moves every result into the argument of the same role (the next step's
  /// state); `renames` lists pairs (result role, argument role).
  void feedBack(const std::vector<std::string> &renames = {});

private:
  const FunctionSpec *spec_;
  std::vector<Tensor> args_, results_;
  std::map<std::string, size_t> argIndex_, resultIndex_;
  std::vector<void *> pointers_;
  /// feedBack's (result, argument) pairs, found once per list of renames.
  std::vector<std::string> feedBackRenames_;
  std::vector<std::pair<size_t, size_t>> feedBackPairs_;
  /// The intermediates of one call; each Function has its own, so calls of
  /// different Functions may run concurrently.
  std::unique_ptr<unsigned char, void (*)(void *)> arena_;
};

const FunctionSpec *findFunction(const ProgramSpec &program, const std::string &name);

} // namespace marthe::rt
