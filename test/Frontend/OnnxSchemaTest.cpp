#include "frontend/OnnxSchema.h"

#include <gtest/gtest.h>

namespace {

// The version the importer checks is the op's schema in effect at the
// model's opset, from ONNX's own registry.
TEST(OnnxSchemaTest, VersionInEffectAtAnOpset) {
  EXPECT_EQ(marthe::onnxOpVersion("LeakyRelu", 15), 6);
  EXPECT_EQ(marthe::onnxOpVersion("LeakyRelu", 16), 16);
  EXPECT_EQ(marthe::onnxOpVersion("Reshape", 13), 13);
  EXPECT_EQ(marthe::onnxOpVersion("Reshape", 17), 14);
  EXPECT_EQ(marthe::onnxOpVersion("Gemm", 21), 13);
  EXPECT_EQ(marthe::onnxOpVersion("NoSuchOp", 13), 0);
}

} // namespace
