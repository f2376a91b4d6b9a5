// The importer's integer folding (frontend/ShapeFolding.cpp) against ONNX's
// own backend node tests of the ops it folds. The folder computes on int64:
// float test data is scaled by 2^10 and rounded, which the value-moving ops
// carry over exactly.

#include "frontend/ShapeFolding.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace marthe {
namespace {

namespace fs = std::filesystem;

template <typename T> bool parseFile(const fs::path &path, T &message) {
  std::ifstream in(path, std::ios::binary);
  return in && message.ParseFromIstream(&in);
}

template <typename Stored>
std::vector<int64_t> convert(const onnx::TensorProto &t, int64_t count, double scale) {
  std::vector<int64_t> values;
  auto push = [&](Stored v) { values.push_back(int64_t(std::llround(double(v) * scale))); };
  if (!t.raw_data().empty()) {
    for (int64_t i = 0; i < count; ++i) {
      Stored v;
      std::memcpy(&v, t.raw_data().data() + i * sizeof(Stored), sizeof(Stored));
      push(v);
    }
  } else if constexpr (std::is_same_v<Stored, float>) {
    for (float v : t.float_data())
      push(v);
  } else if constexpr (std::is_same_v<Stored, int64_t>) {
    for (int64_t v : t.int64_data())
      push(v);
  } else {
    for (int32_t v : t.int32_data())
      push(v);
  }
  return values;
}

/// A test tensor as int64; floats scaled by 2^10.
std::optional<IntTensor> toInteger(const onnx::TensorProto &t) {
  IntTensor result;
  result.shape.assign(t.dims().begin(), t.dims().end());
  int64_t count = 1;
  for (int64_t d : result.shape)
    count *= d;
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    result.values = convert<float>(t, count, 1024.0);
    break;
  case onnx::TensorProto::INT64:
    result.values = convert<int64_t>(t, count, 1.0);
    break;
  case onnx::TensorProto::INT32:
    result.values = convert<int32_t>(t, count, 1.0);
    break;
  default:
    return std::nullopt;
  }
  return result;
}

class ShapeFoldingNodeTest : public ::testing::TestWithParam<const char *> {};

TEST_P(ShapeFoldingNodeTest, MatchesOnnxBackendData) {
#ifndef ONNX_NODE_TESTS_DIR
  GTEST_SKIP() << "libonnx-testdata is not installed";
#else
  fs::path dir = fs::path(ONNX_NODE_TESTS_DIR) / GetParam();
  onnx::ModelProto model;
  ASSERT_TRUE(parseFile(dir / "model.onnx", model)) << dir;
  ASSERT_EQ(model.graph().node_size(), 1);
  const onnx::NodeProto &node = model.graph().node(0);
  const OpEntry *entry = OpRegistry::onnx().lookup(node.op_type());
  ASSERT_TRUE(entry && entry->folding != IntegerFolding::Never) << node.op_type();

  std::vector<IntTensor> inputs;
  for (int i = 0; i < model.graph().input_size(); ++i) {
    onnx::TensorProto tensor;
    ASSERT_TRUE(parseFile(dir / "test_data_set_0" / ("input_" + std::to_string(i) + ".pb"), tensor));
    std::optional<IntTensor> converted = toInteger(tensor);
    ASSERT_TRUE(converted) << "input " << i << " has type " << tensor.data_type();
    inputs.push_back(std::move(*converted));
  }
  llvm::SmallVector<const IntTensor *> operands;
  for (const std::string &name : node.input()) {
    auto position = llvm::find_if(model.graph().input(),
                                  [&](const onnx::ValueInfoProto &v) { return v.name() == name; });
    operands.push_back(name.empty() ? nullptr
                                    : &inputs[position - model.graph().input().begin()]);
  }
  onnx::TensorProto expectedProto;
  ASSERT_TRUE(parseFile(dir / "test_data_set_0" / "output_0.pb", expectedProto));
  std::optional<IntTensor> expected = toInteger(expectedProto);
  ASSERT_TRUE(expected);

  mlir::MLIRContext context;
  mlir::OpBuilder builder(&context);
  std::string message;
  auto error = [&](const llvm::Twine &text) {
    message = text.str();
    return llvm::createStringError(message);
  };
  ImportedNode imported{builder, builder.getUnknownLoc(), node, error};
  llvm::Expected<IntTensor> folded = foldIntegerNode(imported, operands);
  ASSERT_TRUE(bool(folded)) << llvm::toString(folded.takeError());
  EXPECT_EQ(folded->shape, expected->shape);
  EXPECT_EQ(folded->values, expected->values);
#endif
}

INSTANTIATE_TEST_SUITE_P(
    OnnxNodeTests, ShapeFoldingNodeTest,
    ::testing::Values(
        "test_shape", "test_shape_example", "test_shape_clip_end", "test_shape_clip_start",
        "test_shape_end_1", "test_shape_end_negative_1", "test_shape_start_1",
        "test_shape_start_1_end_2", "test_shape_start_1_end_negative_1",
        "test_shape_start_negative_1", "test_gather_0", "test_gather_1", "test_gather_2d_indices",
        "test_gather_negative_indices", "test_slice", "test_slice_default_axes",
        "test_slice_default_steps", "test_slice_end_out_of_bounds", "test_slice_neg",
        "test_slice_neg_steps", "test_slice_negative_axes", "test_slice_start_out_of_bounds",
        "test_squeeze", "test_squeeze_negative_axes", "test_unsqueeze_axis_0",
        "test_unsqueeze_axis_1", "test_unsqueeze_axis_2",
        "test_unsqueeze_negative_axes", "test_unsqueeze_three_axes", "test_unsqueeze_two_axes",
        "test_unsqueeze_unsorted_axes", "test_constantofshape_int_zeros",
        "test_constantofshape_int_shape_zero", "test_concat_2d_axis_1",
        "test_concat_3d_axis_negative_2", "test_transpose_all_permutations_4",
        "test_reshape_negative_dim", "test_reshape_zero_and_negative_dim"),
    [](const ::testing::TestParamInfo<const char *> &info) { return std::string(info.param); });

} // namespace
} // namespace marthe
