// Runs the compiled @loss_and_grad and @loss_hvp (--export-derivatives) once,
// at the model's own initializers, on a random batch and tangent drawn from a
// seed (also the dropout key), and writes every input and result as JSON for
// compare_with_torch.py and check_dropout.py.
//
// usage: <program> OUT.json [SEED]

#include "runtime/Abi.h"
#include "runtime/OnnxModel.h"
#include "runtime/Program.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>

using namespace marthe::rt;

namespace {

std::map<std::string, std::vector<double>> initializers() {
  std::map<std::string, std::vector<double>> byName;
  for (NamedTensor &t : readFloatInitializers(marthe_program.modelBytes,
                                              marthe_program.modelEnd - marthe_program.modelBytes,
                                              marthe_program.modelName))
    byName[t.name] = std::move(t.values);
  return byName;
}

nlohmann::json describe(Tensor &t) {
  nlohmann::json values = nlohmann::json::array();
  for (int64_t i = 0; i < t.size(); ++i)
    values.push_back(t.get(i));
  return {{"shape", std::vector<int64_t>(t.spec->dims, t.spec->dims + t.spec->rank)},
          {"values", values}};
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.json [SEED]\n", argv[0]);
    return 2;
  }
  uint64_t seed = argc > 2 ? std::stoull(argv[2]) : 0;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  const FunctionSpec *spec = findFunction(marthe_program, "loss_hvp");
  if (!spec) {
    std::fprintf(stderr, "the program was not compiled with --export-derivatives\n");
    return 1;
  }
  Function hvp(*spec);
  int64_t classes = findFunction(marthe_program, "forward")->results[0].dims[1];
  std::map<std::string, std::vector<double>> model = initializers();
  nlohmann::json out;
  for (Tensor &arg : hvp.args()) {
    std::string role = arg.spec->role;
    std::string name = role.substr(role.find(':') + 1);
    for (int64_t i = 0; i < arg.size(); ++i) {
      double value = role == "labels"                 ? double(rng() % classes)
                     : role == "input"                ? normal(rng)
                     : role == "dropout_key"          ? double(seed)
                     : role.rfind("tangent:", 0) == 0 ? normal(rng)
                                                      : model.at(name)[i];
      arg.set(i, value);
    }
    out["args"][role] = describe(arg);
  }
  hvp.call();
  for (Tensor &result : hvp.results())
    out["results"][result.spec->role] = describe(result);
  std::ofstream(argv[1]) << out.dump();
  return 0;
}
