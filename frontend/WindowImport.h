#ifndef MARTHE_FRONTEND_WINDOWIMPORT_H
#define MARTHE_FRONTEND_WINDOWIMPORT_H

// Import of ONNX's 2-D window ops (Conv, MaxPool, AveragePool) into the
// window ops of the dialect: pads from auto_pad, ceil_mode, bias and the
// averaging divisor are resolved here.

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <optional>

namespace onnx {
class NodeProto;
}

namespace marthe {

/// What the window importers need of the importer: where to build, and how
/// to report an error about the node (the message gets the node's name).
struct WindowNode {
  mlir::OpBuilder &builder;
  mlir::Location loc;
  const onnx::NodeProto &node;
  llvm::function_ref<llvm::Error(const llvm::Twine &)> error;
};

llvm::Expected<mlir::Value> importConv(WindowNode node, mlir::Value input, mlir::Value filter,
                                       std::optional<mlir::Value> bias);
llvm::Expected<mlir::Value> importMaxPool(WindowNode node, mlir::Value input);
llvm::Expected<mlir::Value> importAveragePool(WindowNode node, mlir::Value input);

} // namespace marthe

#endif // MARTHE_FRONTEND_WINDOWIMPORT_H
