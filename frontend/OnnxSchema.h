#ifndef MARTHE_FRONTEND_ONNXSCHEMA_H
#define MARTHE_FRONTEND_ONNXSCHEMA_H

// ONNX's op registry (libonnx, built with exceptions), behind a function the
// importer (built without them) can call.

#include <string>

namespace marthe {

/// The version of op `name` of the default domain in effect at `opset`: its
/// newest schema not newer than the opset; 0 if ONNX does not know the op.
int onnxOpVersion(const std::string &name, int opset) noexcept;

} // namespace marthe

#endif // MARTHE_FRONTEND_ONNXSCHEMA_H
