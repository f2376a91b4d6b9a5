#include "frontend/OnnxSchema.h"

#include "onnx/defs/schema.h"

namespace marthe {

int onnxOpVersion(const std::string &name, int opset) noexcept {
  try {
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(name, opset, "");
    return schema ? schema->SinceVersion() : 0;
  } catch (...) {
    return 0;
  }
}

} // namespace marthe
