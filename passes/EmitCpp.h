#ifndef MARTHE_PASSES_EMITCPP_H
#define MARTHE_PASSES_EMITCPP_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace marthe {

/// What the emitted program embeds besides the compiled functions.
struct ProgramInfo {
  std::string modelPath;  // ONNX file embedded in the executable (.incbin)
  std::string modelName;
  std::string configJson; // training defaults
};

/// Emits the public functions of `module` (after marthe-fuse-elementwise) as
/// C++ calling the runtime's kernels, with one statically planned arena per
/// function, and the `marthe_program` table that describes them.
mlir::LogicalResult emitCpp(mlir::ModuleOp module, const ProgramInfo &info,
                            llvm::raw_ostream &os);

} // namespace marthe

#endif // MARTHE_PASSES_EMITCPP_H
