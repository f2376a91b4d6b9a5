#ifndef MARTHE_FRONTEND_NODEIMPORT_H
#define MARTHE_FRONTEND_NODEIMPORT_H

// Importers of ONNX ops that live in files of their own: the 2-D window ops
// (Conv, MaxPool, AveragePool; WindowImport.cpp), BatchNormalization
// (BatchNormImport.cpp) and Pad (PadImport.cpp).

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <optional>

namespace onnx {
class NodeProto;
}

namespace marthe {

/// What these importers need of the importer: where to build, and how to
/// report an error about the node (the message gets the node's name).
struct ImportedNode {
  mlir::OpBuilder &builder;
  mlir::Location loc;
  const onnx::NodeProto &node;
  llvm::function_ref<llvm::Error(const llvm::Twine &)> error; // outlives the node
};

llvm::Expected<mlir::Value> importConv(ImportedNode node, mlir::Value input, mlir::Value filter,
                                       std::optional<mlir::Value> bias);
llvm::Expected<mlir::Value> importMaxPool(ImportedNode node, mlir::Value input);
llvm::Expected<mlir::Value> importAveragePool(ImportedNode node, mlir::Value input);

/// BatchNormalization of `input` [N, C, ...] by channel. In inference form it
/// normalizes with the running statistics; in training form (`training` and
/// the node's training_mode) with the batch's own, biased, statistics, and
/// also returns the running statistics updated with the node's momentum:
/// running' = momentum * running + (1 - momentum) * batch (ONNX's rule).
struct BatchNorm {
  mlir::Value output;
  mlir::Value runningMean, runningVar; // null in inference form
};
llvm::Expected<BatchNorm> importBatchNorm(ImportedNode node, mlir::Value input, mlir::Value scale,
                                          mlir::Value bias, mlir::Value runningMean,
                                          mlir::Value runningVar, bool training);

enum class PadMode { Constant, Reflect, Edge, Wrap };
llvm::Expected<PadMode> parsePadMode(ImportedNode node, llvm::StringRef mode);
/// `input` padded along `axes` by `amounts` (all the begin amounts, then all
/// the end ones, as ONNX orders them); negative amounts crop.
llvm::Expected<mlir::Value> importPad(ImportedNode node, mlir::Value input, PadMode mode,
                                      llvm::ArrayRef<int64_t> axes,
                                      llvm::ArrayRef<int64_t> amounts, double fill);

} // namespace marthe

#endif // MARTHE_FRONTEND_NODEIMPORT_H
