#include "runtime/Program.h"

#include "runtime/Error.h"

#include <cstdlib>
#include <cstring>

namespace marthe::rt {

int64_t elementCount(const TensorSpec &spec) {
  int64_t count = 1;
  for (int32_t i = 0; i < spec.rank; ++i)
    count *= spec.dims[i];
  return count;
}

size_t elementSize(DType dtype) { return dtype == DType::F64 ? 8 : 4; }

Tensor::Tensor(const TensorSpec &spec)
    : spec(&spec), bytes(elementCount(spec) * elementSize(spec.dtype)) {}

double Tensor::get(int64_t i) const {
  switch (spec->dtype) {
  case DType::F32:
    return reinterpret_cast<const float *>(bytes.data())[i];
  case DType::F64:
    return reinterpret_cast<const double *>(bytes.data())[i];
  case DType::I32:
    return reinterpret_cast<const int32_t *>(bytes.data())[i];
  }
  return 0;
}

void Tensor::set(int64_t i, double value) {
  switch (spec->dtype) {
  case DType::F32:
    reinterpret_cast<float *>(bytes.data())[i] = float(value);
    break;
  case DType::F64:
    reinterpret_cast<double *>(bytes.data())[i] = value;
    break;
  case DType::I32:
    reinterpret_cast<int32_t *>(bytes.data())[i] = int32_t(value);
    break;
  }
}

static unsigned char *allocateArena(int64_t bytes) {
  size_t rounded = (size_t(bytes) + 63) / 64 * 64;
  return static_cast<unsigned char *>(std::aligned_alloc(64, rounded ? rounded : 64));
}

Function::Function(const FunctionSpec &spec)
    : spec_(&spec), arena_(allocateArena(spec.arenaBytes), std::free) {
  if (!arena_)
    throw Error(std::string("cannot allocate the ") + std::to_string(spec.arenaBytes) +
                "-byte arena of '" + spec.name + "'");
  for (int32_t i = 0; i < spec.numArgs; ++i) {
    args_.emplace_back(spec.args[i]);
    argIndex_[spec.args[i].role] = i;
  }
  for (int32_t i = 0; i < spec.numResults; ++i) {
    results_.emplace_back(spec.results[i]);
    resultIndex_[spec.results[i].role] = i;
  }
}

Tensor &Function::arg(const std::string &role) {
  auto found = argIndex_.find(role);
  if (found == argIndex_.end())
    throw Error(std::string("compiled function '") + spec_->name + "' has no argument '" +
                role + "'");
  return args_[found->second];
}

Tensor &Function::result(const std::string &role) {
  auto found = resultIndex_.find(role);
  if (found == resultIndex_.end())
    throw Error(std::string("compiled function '") + spec_->name + "' has no result '" +
                role + "'");
  return results_[found->second];
}

void Function::call() {
  pointers_.clear();
  for (Tensor &t : args_)
    pointers_.push_back(t.bytes.data());
  for (Tensor &t : results_)
    pointers_.push_back(t.bytes.data());
  spec_->entry(pointers_.data(), arena_.get());
}

void Function::feedBack(const std::vector<std::string> &renames) {
  if (feedBackRenames_ != renames || feedBackPairs_.empty()) {
    feedBackPairs_.clear();
    for (size_t r = 0; r < results_.size(); ++r) {
      std::string role = results_[r].spec->role;
      for (size_t i = 0; i + 1 < renames.size(); i += 2)
        if (role == renames[i])
          role = renames[i + 1];
      auto found = argIndex_.find(role);
      if (found != argIndex_.end())
        feedBackPairs_.push_back({r, found->second});
    }
    feedBackRenames_ = renames;
  }
  for (auto [result, arg] : feedBackPairs_)
    std::swap(args_[arg].bytes, results_[result].bytes);
}

const FunctionSpec *findFunction(const ProgramSpec &program, const std::string &name) {
  for (int32_t i = 0; i < program.numFunctions; ++i)
    if (name == program.functions[i].name)
      return &program.functions[i];
  return nullptr;
}

} // namespace marthe::rt
