#ifndef MARTHE_FRONTEND_ONNXSCHEMA_H
#define MARTHE_FRONTEND_ONNXSCHEMA_H

// ONNX's op registry, checker and shape inference (libonnx, built with
// exceptions), behind functions the importer (built without them) can call.

#include <string>

namespace onnx {
class ModelProto;
class NodeProto;
} // namespace onnx

namespace marthe {

/// The version of op `name` of the default domain in effect at `opset`: its
/// newest schema not newer than the opset; 0 if ONNX does not know the op.
int onnxOpVersion(const std::string &name, int opset) noexcept;

/// What ONNX's checker, then its shape inference (strict, with type checks),
/// find wrong with a model: the first problem, one line ("" if none); or
/// that they crashed or hung on it (`failed`), which only a malformed model
/// makes them do. They run in a child process.
struct OnnxCheck {
  std::string problem;
  bool failed = false;
};
OnnxCheck checkOnnxModel(const onnx::ModelProto &model) noexcept;

/// Upgrades `model` to `opset` of the default domain with ONNX's version
/// converter (in a child process, like the checker); "" on success, else
/// why not, one line.
std::string upgradeOpset(onnx::ModelProto &model, int opset) noexcept;

/// An attribute of `node` (default domain) that the op's schema at `opset`
/// does not declare, or declares with another type: the problem, one line,
/// naming the attribute and both types; "" if none or if ONNX does not know
/// the op.
std::string onnxAttributeProblem(const onnx::NodeProto &node, int opset) noexcept;

} // namespace marthe

#endif // MARTHE_FRONTEND_ONNXSCHEMA_H
