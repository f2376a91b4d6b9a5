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
}

#endif // MARTHE_DIALECT_TD
