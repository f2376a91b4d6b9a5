#ifndef MARTHE_DIALECT_TD
#define MARTHE_DIALECT_TD

include "mlir/IR/OpBase.td"

def Marthe_Dialect : Dialect {
  let name = "marthe";
  let summary = "Value-semantics tensor ops for training ONNX models with MARTHE";
  let description = [{
    Static-shape tensor ops covering MLP inference, cross-entropy, the ops that
    reverse- and forward-mode differentiation emit, the optimizer and the MARTHE
    schedule. Element-wise binary ops broadcast an operand whose shape is a
    suffix of the result shape (a bias over a batch, a scalar over anything).
  }];
  let cppNamespace = "::marthe";
  let useDefaultAttributePrinterParser = 0;
  let useDefaultTypePrinterParser = 0;
  let hasConstantMaterializer = 1;
  // `marthe.role` on function arguments and results.
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let extraClassDeclaration = [{
    /// The name of the attribute that says what a function argument or
    /// result is ("param:<name>", "input", "tangent:<role>", ...).
    static constexpr ::llvm::StringLiteral kRoleAttrName = "marthe.role";
  }];
}

#endif // MARTHE_DIALECT_TD
