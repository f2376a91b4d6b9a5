#ifndef MARTHE_DIALECT_MARTHEOPS_H
#define MARTHE_DIALECT_MARTHEOPS_H

#include "dialect/MartheDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace marthe {
namespace OpTrait {
/// Element-wise with suffix broadcasting; see ElementwiseTrait in MartheOps.td.
template <typename ConcreteType>
class SuffixBroadcastElementwise
    : public mlir::OpTrait::TraitBase<ConcreteType, SuffixBroadcastElementwise> {};
} // namespace OpTrait

/// The result type of an element-wise op on `lhs` and `rhs`: the operand
/// type of larger rank (suffix broadcasting).
mlir::RankedTensorType broadcastResultType(mlir::Value lhs, mlir::Value rhs);

/// True if `op` is element-wise (carries the SuffixBroadcastElementwise trait).
bool isElementwise(mlir::Operation *op);
} // namespace marthe

#include "dialect/DifferentiableOpInterface.h.inc"

#define GET_OP_CLASSES
#include "dialect/MartheOps.h.inc"

#endif // MARTHE_DIALECT_MARTHEOPS_H
