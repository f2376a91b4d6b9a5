// Runs the compiled @forward of an ONNX backend node test on its input_0.pb
// and compares the result with output_0.pb (rtol 1e-5, atol 1e-6).

#include "runtime/Abi.h"
#include "runtime/OnnxModel.h"
#include "runtime/Program.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

using namespace marthe::rt;

static std::vector<double> readTensor(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  onnx::TensorProto tensor;
  if (!tensor.ParseFromString(bytes.str()))
    throw std::runtime_error(path + ": not a TensorProto");
  onnx::ModelProto model;
  *model.mutable_graph()->add_initializer() = tensor;
  model.mutable_graph()->mutable_initializer(0)->set_name("t");
  std::string serialized = model.SerializeAsString();
  return readFloatInitializers(serialized.data(), serialized.size(), path).at(0).values;
}

int main(int argc, char **argv) try {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s input_0.pb output_0.pb\n", argv[0]);
    return 2;
  }
  Function forward(*findFunction(marthe_program, "forward"));
  std::map<std::string, std::vector<double>> initial;
  for (NamedTensor &t : readFloatInitializers(marthe_program.modelBytes,
                                              marthe_program.modelEnd - marthe_program.modelBytes,
                                              marthe_program.modelName))
    for (const char *kind : {"param:", "stat:"})
      initial[kind + t.name] = t.values;
  for (Tensor &arg : forward.args()) {
    std::vector<double> values =
        std::string(arg.spec->role) == "input" ? readTensor(argv[1]) : initial.at(arg.spec->role);
    if ((int64_t)values.size() != arg.size())
      throw std::runtime_error(std::string("size mismatch for ") + arg.spec->role);
    for (int64_t i = 0; i < arg.size(); ++i)
      arg.set(i, values[i]);
  }
  forward.call();
  std::vector<double> expected = readTensor(argv[2]);
  Tensor &output = forward.results()[0];
  if ((int64_t)expected.size() != output.size()) {
    std::fprintf(stderr, "output has %lld elements, expected %zu\n", (long long)output.size(),
                 expected.size());
    return 1;
  }
  for (int64_t i = 0; i < output.size(); ++i)
    if (std::abs(output.get(i) - expected[i]) > 1e-6 + 1e-5 * std::abs(expected[i])) {
      std::fprintf(stderr, "element %lld: %.9g, expected %.9g\n", (long long)i, output.get(i),
                   expected[i]);
      return 1;
    }
  std::printf("%lld elements match\n", (long long)output.size());
  return 0;
} catch (const std::exception &error) {
  std::fprintf(stderr, "error: %s\n", error.what());
  return 1;
}
