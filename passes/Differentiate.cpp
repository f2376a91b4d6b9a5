#include "passes/Differentiate.h"

#include "dialect/MartheOps.h"

using namespace mlir;

namespace marthe {

std::string derivedName(StringRef callee, StringRef kind, ArrayRef<int64_t> wrt) {
  std::string name = (callee + "_" + kind).str();
  for (int64_t index : wrt)
    name += "_" + std::to_string(index);
  return name;
}

Value lookupOrZero(const DenseMap<Value, Value> &derivatives, OpBuilder &builder,
                   Value value) {
  if (Value derivative = derivatives.lookup(value))
    return derivative;
  return ConstantOp::createSplat(builder, value.getLoc(), value.getType(), 0.0);
}

LogicalResult checkDifferentiable(func::FuncOp fn, Operation *request) {
  if (!llvm::hasSingleElement(fn.getBody()))
    return request->emitOpError("cannot differentiate @")
           << fn.getSymName() << ": it must be a single block";
  for (Operation &op : fn.getBody().front().without_terminator()) {
    if (llvm::isa<ConstantOp, DifferentiableOpInterface>(op))
      continue;
    InFlightDiagnostic diag = request->emitOpError("cannot differentiate @")
                              << fn.getSymName() << ": '" << op.getName()
                              << "' has no derivative rules";
    if (llvm::isa<func::CallOp, GradOp, JvpOp>(op))
      diag << " (inline calls and lower marthe.grad before differentiating)";
    diag.attachNote(op.getLoc()) << "op here";
    return failure();
  }
  return success();
}

} // namespace marthe
