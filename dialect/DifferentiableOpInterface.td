#ifndef MARTHE_DIFFERENTIABLE_OP_INTERFACE_TD
#define MARTHE_DIFFERENTIABLE_OP_INTERFACE_TD

include "mlir/IR/OpBase.td"

def DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let description = [{
    Derivative rules of an op. Every rule lives in dialect/Derivatives.cpp.
    A null Value stands for a zero tangent or adjoint, so that rules and the
    passes that call them never materialise zeros they do not need.
  }];
  let cppNamespace = "::marthe";
  let methods = [
    InterfaceMethod<[{
        Builds the vector-Jacobian product: given one adjoint per result (null
        = zero), returns one adjoint per operand (null = no contribution).
      }],
      "::llvm::FailureOr<::llvm::SmallVector<::mlir::Value>>", "buildVjp",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ArrayRef<::mlir::Value>":$resultAdjoints)>,
    InterfaceMethod<[{
        Builds the Jacobian-vector product: given one tangent per operand (null
        = zero), returns one tangent per result (null = zero).
      }],
      "::llvm::FailureOr<::llvm::SmallVector<::mlir::Value>>", "buildJvp",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ArrayRef<::mlir::Value>":$operandTangents)>,
  ];
}

#endif // MARTHE_DIFFERENTIABLE_OP_INTERFACE_TD
