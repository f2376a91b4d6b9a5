#include "runtime/OnnxModel.h"

#include "runtime/Error.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstring>

namespace marthe::rt {
namespace {

using onnx::TensorProto;

std::string rawFloats(const std::vector<float> &values) {
  std::string raw(values.size() * sizeof(float), '\0');
  std::memcpy(raw.data(), values.data(), raw.size()); // the test host is little-endian
  return raw;
}

TensorProto *addInitializer(onnx::GraphProto &graph, const std::string &name,
                            TensorProto::DataType type,
                            std::vector<int64_t> dims) {
  TensorProto *tensor = graph.add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(type);
  for (int64_t dim : dims)
    tensor->add_dims(dim);
  return tensor;
}

// A model with a raw-data FLOAT weight, a float_data FLOAT bias, an INT64
// initializer that must be skipped and a double_data DOUBLE scale.
std::string makeModel() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("unit-test");
  model.add_opset_import()->set_version(17);
  auto *note = model.add_metadata_props();
  note->set_key("author");
  note->set_value("test");
  onnx::GraphProto &graph = *model.mutable_graph();
  graph.set_name("mlp");
  onnx::NodeProto &node = *graph.add_node();
  node.set_op_type("Gemm");
  node.add_input("x");
  node.add_input("w");
  node.add_input("b");
  node.add_output("y");
  addInitializer(graph, "w", TensorProto::FLOAT, {2, 3})
      ->set_raw_data(rawFloats({1, 2, 3, 4, 5, -6.5f}));
  TensorProto *bias = addInitializer(graph, "b", TensorProto::FLOAT, {3});
  for (float value : {0.25f, -0.5f, 0.75f})
    bias->add_float_data(value);
  TensorProto *shape = addInitializer(graph, "shape", TensorProto::INT64, {2});
  shape->add_int64_data(1);
  shape->add_int64_data(6);
  TensorProto *scale = addInitializer(graph, "scale", TensorProto::DOUBLE, {});
  scale->add_double_data(0.1);
  return model.SerializeAsString();
}

std::vector<NamedTensor> read(const std::string &bytes) {
  return readFloatInitializers(bytes.data(), bytes.size(), "model.onnx");
}

std::string replace(const std::string &bytes,
                    const std::vector<NamedTensor> &trained) {
  return replaceInitializers(bytes.data(), bytes.size(), trained, "model.onnx");
}

template <typename F> std::string errorOf(F action) {
  try {
    action();
  } catch (const Error &error) {
    return error.what();
  }
  return "no error";
}

onnx::ModelProto parse(const std::string &bytes) {
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(bytes));
  return model;
}

TEST(OnnxModelTest, ReadsFloatAndDoubleInitializersInGraphOrder) {
  std::vector<NamedTensor> tensors = read(makeModel());
  ASSERT_EQ(tensors.size(), 3u);
  EXPECT_EQ(tensors[0].name, "w");
  EXPECT_EQ(tensors[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(tensors[0].values, (std::vector<double>{1, 2, 3, 4, 5, -6.5}));
  EXPECT_EQ(tensors[1].name, "b");
  EXPECT_EQ(tensors[1].shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(tensors[1].values, (std::vector<double>{0.25, -0.5, 0.75}));
  EXPECT_EQ(tensors[2].name, "scale");
  EXPECT_TRUE(tensors[2].shape.empty());
  EXPECT_EQ(tensors[2].values, (std::vector<double>{0.1}));
}

TEST(OnnxModelTest, ReplacedValuesReadBackAndTypesAreKept) {
  std::string original = makeModel();
  std::vector<NamedTensor> trained = read(original);
  trained[0].values = {0.5, -1, 1.5, -2, 2.5, 0.1};
  trained[1].values = {9, 8, 7};
  trained[2].values = {0.1 + 1e-12};
  std::string updated = replace(original, trained);

  std::vector<NamedTensor> reread = read(updated);
  ASSERT_EQ(reread.size(), 3u);
  EXPECT_EQ(reread[0].values,
            (std::vector<double>{0.5, -1, 1.5, -2, 2.5, double(0.1f)}));
  EXPECT_EQ(reread[1].values, (std::vector<double>{9, 8, 7}));
  EXPECT_EQ(reread[2].values, (std::vector<double>{0.1 + 1e-12}));
  EXPECT_EQ(reread[0].shape, trained[0].shape);

  onnx::ModelProto model = parse(updated);
  const auto &inits = model.graph().initializer();
  EXPECT_EQ(inits[0].data_type(), TensorProto::FLOAT);
  EXPECT_EQ(inits[0].raw_data().size(), 6 * sizeof(float));
  EXPECT_EQ(inits[1].data_type(), TensorProto::FLOAT);
  EXPECT_EQ(inits[1].float_data_size(), 0);
  EXPECT_EQ(inits[1].raw_data().size(), 3 * sizeof(float));
  EXPECT_EQ(inits[3].data_type(), TensorProto::DOUBLE);
  EXPECT_EQ(inits[3].double_data_size(), 0);
  EXPECT_EQ(inits[3].raw_data().size(), sizeof(double));
}

TEST(OnnxModelTest, OnlyInitializerDataAndTheTrainedMarkChange) {
  std::string original = makeModel();
  std::vector<NamedTensor> trained = read(original);
  trained.erase(trained.begin() + 1); // b, like the INT64 shape, stays as is
  onnx::ModelProto updated = parse(replace(original, trained));
  onnx::ModelProto expected = parse(original);

  const auto &before = expected.graph().initializer();
  const auto &after = updated.graph().initializer();
  ASSERT_EQ(after.size(), before.size());
  for (int i = 0; i < before.size(); ++i) {
    EXPECT_EQ(after[i].name(), before[i].name());
    EXPECT_EQ(after[i].data_type(), before[i].data_type());
    EXPECT_EQ(after[i].dims_size(), before[i].dims_size());
  }
  EXPECT_EQ(after[1].SerializeAsString(), before[1].SerializeAsString());
  EXPECT_EQ(after[2].SerializeAsString(), before[2].SerializeAsString());

  *expected.mutable_graph()->mutable_initializer() = after;
  auto *mark = expected.add_metadata_props();
  mark->set_key("marthe.trained");
  mark->set_value("true");
  EXPECT_EQ(updated.SerializeAsString(), expected.SerializeAsString());
}

TEST(OnnxModelTest, TrainedMarkIsOverwrittenNotDuplicated) {
  onnx::ModelProto model = parse(makeModel());
  auto *mark = model.add_metadata_props();
  mark->set_key("marthe.trained");
  mark->set_value("false");
  onnx::ModelProto updated = parse(replace(model.SerializeAsString(), {}));
  ASSERT_EQ(updated.metadata_props_size(), 2);
  EXPECT_EQ(updated.metadata_props(1).key(), "marthe.trained");
  EXPECT_EQ(updated.metadata_props(1).value(), "true");
}

TEST(OnnxModelTest, WrongElementCountIsReported) {
  std::string model = makeModel();
  EXPECT_EQ(errorOf([&] { replace(model, {{"b", {3}, {1, 2}}}); }),
            "model.onnx: initializer 'b' has 3 elements but the trained tensor "
            "has 2");
}

TEST(OnnxModelTest, UnknownNameIsReported) {
  std::string model = makeModel();
  EXPECT_EQ(errorOf([&] { replace(model, {{"w2", {1}, {1}}}); }),
            "model.onnx: no initializer named 'w2'");
}

TEST(OnnxModelTest, NonFloatingPointTargetIsReported) {
  std::string model = makeModel();
  EXPECT_EQ(errorOf([&] { replace(model, {{"shape", {2}, {1, 2}}}); }),
            "model.onnx: initializer 'shape' is not FLOAT or DOUBLE");
}

TEST(OnnxModelTest, InvalidBytesAreReported) {
  std::string garbage = "\xff\xff\xff\xff";
  EXPECT_EQ(errorOf([&] { read(garbage); }), "model.onnx: not a valid ONNX model");
  EXPECT_EQ(errorOf([&] { replace(garbage, {}); }),
            "model.onnx: not a valid ONNX model");
  EXPECT_EQ(errorOf([&] { read(""); }), "model.onnx: ONNX model has no graph");
}

TEST(OnnxModelTest, RawDataOfTheWrongSizeIsReported) {
  onnx::ModelProto model = parse(makeModel());
  model.mutable_graph()->mutable_initializer(0)->set_raw_data(rawFloats({1, 2}));
  EXPECT_EQ(errorOf([&] { read(model.SerializeAsString()); }),
            "model.onnx: initializer 'w' has 8 bytes of raw data, expected 24");
}

TEST(OnnxModelTest, TypedDataOfTheWrongSizeIsReported) {
  onnx::ModelProto model = parse(makeModel());
  model.mutable_graph()->mutable_initializer(1)->add_float_data(1);
  EXPECT_EQ(errorOf([&] { read(model.SerializeAsString()); }),
            "model.onnx: initializer 'b' has 4 values, expected 3");
}

} // namespace
} // namespace marthe::rt
