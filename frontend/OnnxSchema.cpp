#include "frontend/OnnxSchema.h"

#include "onnx/checker.h"
#include <cctype>

#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

namespace marthe {

int onnxOpVersion(const std::string &name, int opset) noexcept {
  try {
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(name, opset, "");
    return schema ? schema->SinceVersion() : 0;
  } catch (...) {
    return 0;
  }
}

/// ONNX's message on one line, whitespace runs collapsed (node dumps span
/// lines), at most 400 characters.
static std::string oneLine(const char *text) {
  std::string line;
  for (const char *c = text; *c && line.size() < 400; ++c) {
    bool space = std::isspace(static_cast<unsigned char>(*c));
    if (!space)
      line += *c;
    else if (!line.empty() && line.back() != ' ')
      line += ' ';
  }
  while (!line.empty() && line.back() == ' ')
    line.pop_back();
  return line;
}

std::string onnxModelProblem(onnx::ModelProto &model) noexcept {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &error) {
    return "rejected by ONNX's checker: " + oneLine(error.what());
  }
  try {
    onnx::ShapeInferenceOptions options(/*check_type_val=*/true, /*strict_mode_val=*/1);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &error) {
    return "rejected by ONNX's shape inference: " + oneLine(error.what());
  }
  return "";
}

static const char *attributeTypeName(onnx::AttributeProto::AttributeType type) {
  return onnx::AttributeProto::AttributeType_Name(type).c_str();
}

std::string onnxAttributeProblem(const onnx::NodeProto &node, int opset) noexcept {
  try {
    const onnx::OpSchema *schema = onnx::OpSchemaRegistry::Schema(node.op_type(), opset, "");
    if (!schema)
      return "";
    for (const onnx::AttributeProto &attr : node.attribute()) {
      auto declared = schema->attributes().find(attr.name());
      if (declared == schema->attributes().end())
        return "attribute '" + attr.name() + "' is not an attribute of " + node.op_type() + "-" +
               std::to_string(schema->SinceVersion());
      if (attr.type() != declared->second.type)
        return "attribute '" + attr.name() + "' is stored as " +
               attributeTypeName(attr.type()) + " but " + node.op_type() + " expects " +
               attributeTypeName(declared->second.type);
    }
  } catch (...) {
    return "";
  }
  return "";
}

} // namespace marthe
