#include "runtime/OnnxModel.h"

#include "runtime/Error.h"

#include <onnx/onnx_pb.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <unordered_map>

namespace marthe::rt {
namespace {

using onnx::TensorProto;

onnx::ModelProto parseModel(const void *bytes, size_t size,
                            const std::string &sourceName) {
  onnx::ModelProto model;
  if (size > INT_MAX || !model.ParseFromArray(bytes, static_cast<int>(size)))
    throw Error(sourceName + ": not a valid ONNX model");
  if (!model.has_graph())
    throw Error(sourceName + ": ONNX model has no graph");
  return model;
}

bool isFloatingPoint(const TensorProto &tensor) {
  return tensor.data_type() == TensorProto::FLOAT ||
         tensor.data_type() == TensorProto::DOUBLE;
}

std::string describe(const TensorProto &tensor, const std::string &sourceName) {
  return sourceName + ": initializer '" + tensor.name() + "'";
}

int64_t elementCount(const TensorProto &tensor, const std::string &sourceName) {
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      throw Error(describe(tensor, sourceName) + " has a negative dimension");
    if (dim > 0 && count > INT64_MAX / dim)
      throw Error(describe(tensor, sourceName) + " has too many elements");
    count *= dim;
  }
  return count;
}

// Raw data is little-endian regardless of the host.
uint64_t loadLittleEndian(const char *p, size_t width) {
  uint64_t bits = 0;
  for (size_t i = 0; i < width; ++i)
    bits |= uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return bits;
}

void storeLittleEndian(uint64_t bits, size_t width, std::string &out) {
  for (size_t i = 0; i < width; ++i)
    out += static_cast<char>(bits >> (8 * i));
}

template <typename T> T fromBits(uint64_t bits) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  Bits narrow = static_cast<Bits>(bits);
  T value;
  std::memcpy(&value, &narrow, sizeof value);
  return value;
}

template <typename T> uint64_t toBits(T value) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  Bits bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

size_t elementWidth(const TensorProto &tensor) {
  return tensor.data_type() == TensorProto::FLOAT ? 4 : 8;
}

std::vector<double> decodeRawData(const TensorProto &tensor, int64_t count,
                                  const std::string &sourceName) {
  size_t width = elementWidth(tensor);
  const std::string &raw = tensor.raw_data();
  if (raw.size() != count * width)
    throw Error(describe(tensor, sourceName) + " has " +
                std::to_string(raw.size()) + " bytes of raw data, expected " +
                std::to_string(count * width));
  std::vector<double> values;
  values.reserve(count);
  for (size_t offset = 0; offset < raw.size(); offset += width) {
    uint64_t bits = loadLittleEndian(raw.data() + offset, width);
    values.push_back(width == 4 ? fromBits<float>(bits) : fromBits<double>(bits));
  }
  return values;
}

std::vector<double> decodeTypedData(const TensorProto &tensor, int64_t count,
                                    const std::string &sourceName) {
  std::vector<double> values;
  if (tensor.data_type() == TensorProto::FLOAT)
    values.assign(tensor.float_data().begin(), tensor.float_data().end());
  else
    values.assign(tensor.double_data().begin(), tensor.double_data().end());
  if (static_cast<int64_t>(values.size()) != count)
    throw Error(describe(tensor, sourceName) + " has " +
                std::to_string(values.size()) + " values, expected " +
                std::to_string(count));
  return values;
}

std::vector<double> decodeValues(const TensorProto &tensor,
                                 const std::string &sourceName) {
  if (tensor.data_location() == TensorProto::EXTERNAL)
    throw Error(describe(tensor, sourceName) +
                " is stored in an external file, which is not supported");
  int64_t count = elementCount(tensor, sourceName);
  if (tensor.has_raw_data())
    return decodeRawData(tensor, count, sourceName);
  return decodeTypedData(tensor, count, sourceName);
}

std::string encodeRawData(const std::vector<double> &values, size_t width) {
  std::string raw;
  raw.reserve(values.size() * width);
  for (double value : values)
    storeLittleEndian(width == 4 ? toBits(static_cast<float>(value))
                                 : toBits(value),
                      width, raw);
  return raw;
}

void replaceData(TensorProto &tensor, const NamedTensor &trained,
                 const std::string &sourceName) {
  if (!isFloatingPoint(tensor))
    throw Error(describe(tensor, sourceName) + " is not FLOAT or DOUBLE");
  int64_t count = elementCount(tensor, sourceName);
  if (static_cast<int64_t>(trained.values.size()) != count)
    throw Error(describe(tensor, sourceName) + " has " +
                std::to_string(count) + " elements but the trained tensor has " +
                std::to_string(trained.values.size()));
  tensor.clear_float_data();
  tensor.clear_double_data();
  tensor.clear_data_location();
  tensor.clear_external_data();
  tensor.set_raw_data(encodeRawData(trained.values, elementWidth(tensor)));
}

void markTrained(onnx::ModelProto &model) {
  for (auto &entry : *model.mutable_metadata_props())
    if (entry.key() == "marthe.trained") {
      entry.set_value("true");
      return;
    }
  auto *entry = model.add_metadata_props();
  entry->set_key("marthe.trained");
  entry->set_value("true");
}

} // namespace

std::vector<NamedTensor> readFloatInitializers(const void *bytes, size_t size,
                                               const std::string &sourceName) {
  onnx::ModelProto model = parseModel(bytes, size, sourceName);
  std::vector<NamedTensor> tensors;
  for (const TensorProto &init : model.graph().initializer()) {
    if (!isFloatingPoint(init))
      continue;
    tensors.push_back({init.name(),
                       {init.dims().begin(), init.dims().end()},
                       decodeValues(init, sourceName)});
  }
  return tensors;
}

/// BatchNormalization in training mode becomes the inference form (running
/// statistics, one output) and Dropout the identity (training_mode and the
/// mask output dropped): the written model predicts as evaluation did.
static void toInferenceForm(onnx::GraphProto &graph) {
  for (onnx::NodeProto &node : *graph.mutable_node()) {
    if (node.op_type() == "Dropout") {
      while (node.input_size() > 2)
        node.mutable_input()->RemoveLast();
      while (node.output_size() > 1)
        node.mutable_output()->RemoveLast();
      continue;
    }
    if (node.op_type() != "BatchNormalization")
      continue;
    for (onnx::AttributeProto &attr : *node.mutable_attribute())
      if (attr.name() == "training_mode")
        attr.set_i(0);
    while (node.output_size() > 1)
      node.mutable_output()->RemoveLast();
  }
}

std::string replaceInitializers(const void *bytes, size_t size,
                                const std::vector<NamedTensor> &trained,
                                const std::string &sourceName) {
  onnx::ModelProto model = parseModel(bytes, size, sourceName);
  std::unordered_map<std::string, TensorProto *> byName;
  for (TensorProto &init : *model.mutable_graph()->mutable_initializer())
    byName.emplace(init.name(), &init);
  for (const NamedTensor &tensor : trained) {
    auto found = byName.find(tensor.name);
    if (found == byName.end())
      throw Error(sourceName + ": no initializer named '" + tensor.name + "'");
    replaceData(*found->second, tensor, sourceName);
  }
  toInferenceForm(*model.mutable_graph());
  markTrained(model);
  std::string out;
  if (!model.SerializeToString(&out))
    throw Error(sourceName + ": cannot serialize the trained ONNX model");
  return out;
}

} // namespace marthe::rt
