#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace marthe::rt {

// A floating-point initializer, its values widened to double.
struct NamedTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<double> values;
};

// Every FLOAT and DOUBLE initializer of the model's main graph, in graph
// order. sourceName names the model in error messages.
std::vector<NamedTensor> readFloatInitializers(const void *bytes, size_t size,
                                               const std::string &sourceName);

// The serialized model with the data of each `trained` initializer replaced
// (keeping its element type, stored as raw_data), metadata
// marthe.trained = "true", and BatchNormalization nodes in inference form
// (training_mode = 0, their running statistics as the only state) and Dropout
// nodes without training_mode (the identity); everything else is unchanged.
std::string replaceInitializers(const void *bytes, size_t size,
                                const std::vector<NamedTensor> &trained,
                                const std::string &sourceName);

} // namespace marthe::rt
