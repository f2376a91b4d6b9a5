// Verifiers of the library-call ops (MartheLibraryOps.td).

#include "dialect/MartheOps.h"
#include "dialect/Window.h"

#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace marthe;

static ArrayRef<int64_t> shapeOf(Value value) {
  return llvm::cast<ShapedType>(value.getType()).getShape();
}

/// On tensors the op returns the updated init; on memrefs it returns nothing
/// and every operand is a memref.
static LogicalResult verifyLibraryForm(Operation *op, Value init, Value result) {
  bool onTensors = llvm::isa<RankedTensorType>(init.getType());
  for (Value operand : op->getOperands())
    if (llvm::isa<RankedTensorType>(operand.getType()) != onTensors)
      return op->emitOpError("operands must be all tensors or all memrefs");
  if (onTensors && (!result || result.getType() != init.getType()))
    return op->emitOpError("on tensors returns a result of the init's type");
  if (!onTensors && result)
    return op->emitOpError("on memrefs has no result");
  Type element = getElementTypeOrSelf(init.getType());
  if (getElementTypeOrSelf(op->getOperand(0).getType()) != element)
    return op->emitOpError("mixes element types");
  return success();
}

LogicalResult LibraryGemmOp::verify() {
  if (failed(verifyLibraryForm(*this, getInit(), getResult())))
    return failure();
  ArrayRef<int64_t> lhs = shapeOf(getLhs()), rhs = shapeOf(getRhs()), out = shapeOf(getInit());
  if (lhs.size() != 2 || rhs.size() != 2 || out.size() != 2)
    return emitOpError("operands must be matrices");
  int64_t m = getTransposeLhs() ? lhs[1] : lhs[0], k = getTransposeLhs() ? lhs[0] : lhs[1];
  int64_t rk = getTransposeRhs() ? rhs[1] : rhs[0], n = getTransposeRhs() ? rhs[0] : rhs[1];
  if (k != rk || out[0] != m || out[1] != n)
    return emitOpError("shapes do not agree: op(lhs) is ")
           << m << "x" << k << ", op(rhs) " << rk << "x" << n << ", init " << out[0] << "x"
           << out[1];
  return success();
}

/// logits [B, C], then labels [B] or a tangent [B, C], into `expected`.
static LogicalResult verifySoftmaxFamily(Operation *op, Value logits, Value second, Value init,
                                         bool scalarResult) {
  ArrayRef<int64_t> shape = shapeOf(logits);
  if (shape.size() != 2)
    return op->emitOpError("logits must be [batch, classes]");
  ArrayRef<int64_t> other = shapeOf(second);
  bool labels = getElementTypeOrSelf(second.getType()).isInteger(32);
  if (labels ? other != shape.take_front(1) : other != shape)
    return op->emitOpError("second operand does not match the logits' shape");
  if (scalarResult ? !shapeOf(init).empty() : shapeOf(init) != shape)
    return op->emitOpError("init has the wrong shape");
  return success();
}

LogicalResult LibrarySoftmaxXentOp::verify() {
  if (failed(verifyLibraryForm(*this, getInit(), getResult())))
    return failure();
  return verifySoftmaxFamily(*this, getLhs(), getRhs(), getInit(), true);
}

LogicalResult LibrarySoftmaxXentGradOp::verify() {
  if (failed(verifyLibraryForm(*this, getInit(), getResult())))
    return failure();
  return verifySoftmaxFamily(*this, getLhs(), getRhs(), getInit(), false);
}

LogicalResult LibrarySoftmaxXentHvpOp::verify() {
  if (failed(verifyLibraryForm(*this, getInit(), getResult())))
    return failure();
  return verifySoftmaxFamily(*this, getLhs(), getRhs(), getInit(), false);
}

LogicalResult LibraryConv2dOp::verify() {
  if (failed(verifyLibraryForm(*this, getInit(), getResult())))
    return failure();
  return verifyConvShapes(*this, shapeOf(getLhs()), shapeOf(getRhs()), shapeOf(getInit()));
}

LogicalResult LibraryConv2dBackwardDataOp::verify() {
  if (failed(verifyLibraryForm(*this, getInit(), getResult())))
    return failure();
  return verifyConvShapes(*this, shapeOf(getInit()), shapeOf(getRhs()), shapeOf(getLhs()));
}

LogicalResult LibraryConv2dBackwardFilterOp::verify() {
  if (failed(verifyLibraryForm(*this, getInit(), getResult())))
    return failure();
  return verifyConvShapes(*this, shapeOf(getLhs()), shapeOf(getInit()), shapeOf(getRhs()));
}

LogicalResult LibraryMaxPool2dOp::verify() {
  if (failed(verifyLibraryForm(*this, getInit(), getResult())))
    return failure();
  return verifyPoolShapes(*this, shapeOf(getLhs()), shapeOf(getInit()));
}

LogicalResult LibraryMaxUnpool2dOp::verify() {
  if (failed(verifyLibraryForm(*this, getInit(), getResult())))
    return failure();
  return verifyPoolShapes(*this, shapeOf(getLhs()), shapeOf(getRhs()));
}
