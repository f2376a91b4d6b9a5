#ifndef MARTHE_FRONTEND_ONNXIMPORTER_H
#define MARTHE_FRONTEND_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

namespace marthe {

struct ImportOptions {
  /// The size given to a symbolic (or unknown) first input dimension.
  int64_t batchSize = 100;
  /// The model will be trained with the cross-entropy loss: a final Softmax or
  /// LogSoftmax is refused (the loss applies it). Off for --forward-only.
  bool forTraining = true;
  /// batch_size was given (by the config): an input with a fixed first
  /// dimension of another size is then an error, not silently kept.
  bool batchSizeGiven = false;
  /// The model is compiled into a training step: one without a parameter on
  /// the path to its output is an error (it has nothing to train).
  bool requireParameters = false;
};

/// Imports an ONNX model into `@forward(params..., input) -> output`: the
/// float initializers become the parameters (roles "param:<name>"), the one
/// other graph input the data (role "input"). Errors name the file and, for
/// nodes, the node name, op type and opset. `bytes` is the serialized model
/// and `path` the name errors give it.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxBytes(mlir::MLIRContext *context, llvm::StringRef bytes, llvm::StringRef path,
                const ImportOptions &options);

/// importOnnxBytes of the file at `path`.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
importOnnxFile(mlir::MLIRContext *context, llvm::StringRef path,
               const ImportOptions &options);

} // namespace marthe

#endif // MARTHE_FRONTEND_ONNXIMPORTER_H
