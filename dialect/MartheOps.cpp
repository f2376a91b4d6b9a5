#include "dialect/MartheOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace marthe;

#include "dialect/DifferentiableOpInterface.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static ArrayRef<int64_t> shapeOf(Value value) {
  return llvm::cast<RankedTensorType>(value.getType()).getShape();
}

static bool isSuffix(ArrayRef<int64_t> suffix, ArrayRef<int64_t> shape) {
  return suffix.size() <= shape.size() &&
         shape.take_back(suffix.size()) == suffix;
}

RankedTensorType marthe::broadcastResultType(Value lhs, Value rhs) {
  auto lhsType = llvm::cast<RankedTensorType>(lhs.getType());
  auto rhsType = llvm::cast<RankedTensorType>(rhs.getType());
  return lhsType.getRank() >= rhsType.getRank() ? lhsType : rhsType;
}

bool marthe::isElementwise(Operation *op) {
  return op->hasTrait<OpTrait::SuffixBroadcastElementwise>();
}

static bool isSplatOf(Value value, double expected) {
  DenseFPElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.isSplat())
    return false;
  return attr.getSplatValue<APFloat>().convertToDouble() == expected;
}

static Attribute splatAttr(Type type, double value) {
  auto tensorType = llvm::cast<RankedTensorType>(type);
  return DenseElementsAttr::get(
      tensorType, FloatAttr::get(tensorType.getElementType(), value));
}

static LogicalResult verifyElementTypes(Operation *op) {
  Type elementType;
  for (Type type : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
    auto tensorType = llvm::cast<RankedTensorType>(type);
    if (!llvm::isa<FloatType>(tensorType.getElementType()))
      continue;
    if (elementType && elementType != tensorType.getElementType())
      return op->emitOpError("mixes element types ")
             << elementType << " and " << tensorType.getElementType();
    elementType = tensorType.getElementType();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Element-wise ops
//===----------------------------------------------------------------------===//

static LogicalResult verifyBroadcastBinary(Operation *op) {
  if (failed(verifyElementTypes(op)))
    return failure();
  ArrayRef<int64_t> result = shapeOf(op->getResult(0));
  ArrayRef<int64_t> lhs = shapeOf(op->getOperand(0));
  ArrayRef<int64_t> rhs = shapeOf(op->getOperand(1));
  if (!isSuffix(lhs, result) || !isSuffix(rhs, result))
    return op->emitOpError("operand shapes must be suffixes of the result shape");
  if (lhs != result && rhs != result)
    return op->emitOpError("one operand must have the result shape");
  return success();
}

LogicalResult AddOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult ReluGradOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult SqrtGradOp::verify() { return verifyBroadcastBinary(*this); }

/// x + 0 -> x and x - 0 -> x, when x already has the result type.
static OpFoldResult foldZeroOperand(Operation *op, Value keep, Value zero) {
  if (isSplatOf(zero, 0.0) && keep.getType() == op->getResult(0).getType())
    return keep;
  return {};
}

OpFoldResult AddOp::fold(FoldAdaptor) {
  if (OpFoldResult folded = foldZeroOperand(*this, getLhs(), getRhs()))
    return folded;
  return foldZeroOperand(*this, getRhs(), getLhs());
}

OpFoldResult SubOp::fold(FoldAdaptor) {
  return foldZeroOperand(*this, getLhs(), getRhs());
}

OpFoldResult MulOp::fold(FoldAdaptor) {
  if (isSplatOf(getLhs(), 0.0) || isSplatOf(getRhs(), 0.0))
    return splatAttr(getType(), 0.0);
  if (isSplatOf(getRhs(), 1.0) && getLhs().getType() == getType())
    return getLhs();
  if (isSplatOf(getLhs(), 1.0) && getRhs().getType() == getType())
    return getRhs();
  return {};
}

//===----------------------------------------------------------------------===//
// ConstantOp, ReshapeOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult ConstantOp::verify() {
  if (getValue().getType() != getType())
    return emitOpError("value type ") << getValue().getType()
                                      << " differs from the result type " << getType();
  return success();
}

ConstantOp ConstantOp::createSplat(OpBuilder &builder, Location loc, Type type,
                                   double value) {
  return ConstantOp::create(builder, loc,
                            llvm::cast<TypedAttr>(splatAttr(type, value)));
}

/// `small` broadcasts to `large` at equal rank: each dimension equal or 1.
static LogicalResult verifyUnitBroadcast(Operation *op, RankedTensorType small,
                                         RankedTensorType large) {
  if (small.getRank() != large.getRank())
    return op->emitOpError("needs operands of equal rank, got ") << small << " and " << large;
  for (auto [d, pair] : llvm::enumerate(llvm::zip(small.getShape(), large.getShape())))
    if (std::get<0>(pair) != std::get<1>(pair) && std::get<0>(pair) != 1)
      return op->emitOpError("dimension ")
             << d << " of " << small << " is neither 1 nor that of " << large;
  return success();
}

LogicalResult BroadcastOp::verify() {
  if (failed(verifyUnitBroadcast(*this, llvm::cast<RankedTensorType>(getInput().getType()),
                                 llvm::cast<RankedTensorType>(getType()))))
    return failure();
  return verifyElementTypes(*this);
}

OpFoldResult BroadcastOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : OpFoldResult();
}

LogicalResult ReduceSumOp::verify() {
  if (failed(verifyUnitBroadcast(*this, llvm::cast<RankedTensorType>(getType()),
                                 llvm::cast<RankedTensorType>(getInput().getType()))))
    return failure();
  return verifyElementTypes(*this);
}

OpFoldResult ReduceSumOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : OpFoldResult();
}

void TransposeOp::build(OpBuilder &builder, OperationState &state, Value input,
                        ArrayRef<int64_t> permutation) {
  auto type = llvm::cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (int64_t from : permutation)
    shape.push_back(from >= 0 && from < type.getRank() ? type.getDimSize(from) : 1);
  build(builder, state, RankedTensorType::get(shape, type.getElementType()), input,
        builder.getDenseI64ArrayAttr(permutation));
}

LogicalResult TransposeOp::verify() {
  auto input = llvm::cast<RankedTensorType>(getInput().getType());
  auto result = llvm::cast<RankedTensorType>(getType());
  ArrayRef<int64_t> permutation = getPermutation();
  if (int64_t(permutation.size()) != input.getRank() || result.getRank() != input.getRank())
    return emitOpError("needs one permutation entry per dimension of ") << input;
  SmallVector<bool> seen(permutation.size(), false);
  for (auto [i, from] : llvm::enumerate(permutation)) {
    if (from < 0 || from >= input.getRank() || seen[from])
      return emitOpError("permutation is not a permutation of 0..") << input.getRank() - 1;
    seen[from] = true;
    if (result.getDimSize(i) != input.getDimSize(from))
      return emitOpError("result dimension ")
             << i << " is " << result.getDimSize(i) << ", not input dimension " << from << " ("
             << input.getDimSize(from) << ")";
  }
  return verifyElementTypes(*this);
}

/// The identity permutation leaves the input; a transpose of a transpose is
/// one transpose of the original input, folded when that is the identity.
OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> permutation = getPermutation();
  if (llvm::equal(permutation, llvm::seq<int64_t>(0, permutation.size())))
    return getInput();
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> first = inner.getPermutation();
    bool identity = true;
    for (auto [i, from] : llvm::enumerate(permutation))
      identity &= first[from] == int64_t(i);
    if (identity)
      return inner.getInput();
  }
  return {};
}

LogicalResult ReshapeOp::verify() {
  auto input = getInput().getType();
  auto result = getResult().getType();
  if (input.getNumElements() != result.getNumElements())
    return emitOpError("cannot reshape ")
           << input << " into " << result << ": element counts differ";
  return verifyElementTypes(*this);
}

/// A reshape to the input's own type is the input; a reshape of a reshape
/// reshapes the original input.
OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

static SmallVector<int64_t, 2> operandMatrix(Value value, bool transpose) {
  ArrayRef<int64_t> shape = shapeOf(value);
  if (shape.size() != 2)
    return {};
  if (transpose)
    return {shape[1], shape[0]};
  return {shape[0], shape[1]};
}

void MatmulOp::build(OpBuilder &builder, OperationState &state, Value lhs,
                     Value rhs, bool transposeLhs, bool transposeRhs) {
  SmallVector<int64_t, 2> a = operandMatrix(lhs, transposeLhs);
  SmallVector<int64_t, 2> b = operandMatrix(rhs, transposeRhs);
  Type elementType = llvm::cast<RankedTensorType>(lhs.getType()).getElementType();
  build(builder, state, RankedTensorType::get({a[0], b[1]}, elementType), lhs,
        rhs, transposeLhs, transposeRhs);
}

LogicalResult MatmulOp::verify() {
  SmallVector<int64_t, 2> a = operandMatrix(getLhs(), getTransposeLhs());
  SmallVector<int64_t, 2> b = operandMatrix(getRhs(), getTransposeRhs());
  if (a.empty() || b.empty() || getType().getRank() != 2)
    return emitOpError("operands and result must be 2-D");
  if (a[1] != b[0])
    return emitOpError("contraction dimensions differ: ") << a[1] << " vs " << b[0];
  if (getType().getShape() != ArrayRef<int64_t>{a[0], b[1]})
    return emitOpError("result must be ") << a[0] << "x" << b[1];
  return verifyElementTypes(*this);
}

OpFoldResult MatmulOp::fold(FoldAdaptor) {
  if (isSplatOf(getLhs(), 0.0) || isSplatOf(getRhs(), 0.0))
    return splatAttr(getType(), 0.0);
  return {};
}

namespace {
/// matmul(s * a, b) = s * matmul(a, b) for a scalar s: the product is scaled
/// once at the result's size instead of the operand's. The forward-mode
/// tangent of a layer along mu * Z has this form, and a weight-sized
/// product of Z is never built.
struct HoistScalarFactor : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp op, PatternRewriter &rewriter) const override {
    for (OpOperand &operand : op->getOpOperands()) {
      auto mul = operand.get().getDefiningOp<MulOp>();
      if (!mul)
        continue;
      Value scalar = mul.getLhs(), scaled = mul.getRhs();
      if (shapeOf(scalar).size() != 0)
        std::swap(scalar, scaled);
      if (shapeOf(scalar).size() != 0 || scaled.getType() != mul.getType())
        continue;
      SmallVector<Value> operands(op->getOperands());
      operands[operand.getOperandNumber()] = scaled;
      auto product = MatmulOp::create(rewriter, op.getLoc(), operands[0], operands[1],
                                      op.getTransposeLhs(), op.getTransposeRhs());
      rewriter.replaceOpWithNewOp<MulOp>(op, scalar, product);
      return success();
    }
    return failure();
  }
};
} // namespace

void MatmulOp::getCanonicalizationPatterns(RewritePatternSet &patterns, MLIRContext *context) {
  patterns.add<HoistScalarFactor>(context);
}

//===----------------------------------------------------------------------===//
// SumToOp, DotOp
//===----------------------------------------------------------------------===//

LogicalResult SumToOp::verify() {
  if (!isSuffix(getType().getShape(), getInput().getType().getShape()))
    return emitOpError("result shape must be a suffix of the input shape");
  return verifyElementTypes(*this);
}

void DotOp::build(OpBuilder &builder, OperationState &state, Value lhs, Value rhs) {
  Type elementType = llvm::cast<RankedTensorType>(lhs.getType()).getElementType();
  build(builder, state, RankedTensorType::get({}, elementType), lhs, rhs);
}

LogicalResult DotOp::verify() {
  if (getLhs().getType() != getRhs().getType())
    return emitOpError("operands must have the same type");
  return verifyElementTypes(*this);
}

//===----------------------------------------------------------------------===//
// Cross-entropy ops
//===----------------------------------------------------------------------===//

/// `a` and `b` agree in rank and in every dimension but `axis`.
static bool agreeBesideAxis(RankedTensorType a, RankedTensorType b, int64_t axis) {
  if (a.getRank() != b.getRank() || a.getElementType() != b.getElementType())
    return false;
  for (int64_t d = 0; d < a.getRank(); ++d)
    if (d != axis && a.getDimSize(d) != b.getDimSize(d))
      return false;
  return true;
}

LogicalResult ConcatOp::verify() {
  RankedTensorType type = getType();
  int64_t axis = getAxis(), total = 0;
  if (axis < 0 || axis >= type.getRank())
    return emitOpError("axis ") << axis << " is not a dimension of the result";
  for (Value input : getInputs()) {
    auto inputType = llvm::cast<RankedTensorType>(input.getType());
    if (!agreeBesideAxis(inputType, type, axis))
      return emitOpError("operand ") << inputType << " does not agree with " << type
                                     << " beside axis " << axis;
    total += inputType.getDimSize(axis);
  }
  if (getInputs().empty() || total != type.getDimSize(axis))
    return emitOpError("the operands' sizes along the axis add up to ")
           << total << ", not " << type.getDimSize(axis);
  return success();
}

LogicalResult ConvertOp::verify() {
  auto from = llvm::cast<RankedTensorType>(getInput().getType());
  if (from.getShape() != getType().getShape())
    return emitOpError("result ") << getType() << " does not have the shape of " << from;
  return success();
}

OpFoldResult ConvertOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : Value();
}

LogicalResult SliceOp::verify() {
  RankedTensorType type = getType(), from = llvm::cast<RankedTensorType>(getInput().getType());
  int64_t axis = getAxis(), offset = getOffset();
  if (axis < 0 || axis >= type.getRank() || !agreeBesideAxis(from, type, axis))
    return emitOpError("result ") << type << " is not a part of " << from << " along axis "
                                  << axis;
  if (offset < 0 || offset + type.getDimSize(axis) > from.getDimSize(axis))
    return emitOpError("offset ") << offset << " and size " << type.getDimSize(axis)
                                  << " exceed the input's " << from.getDimSize(axis);
  return success();
}

LogicalResult LogSoftmaxOp::verify() {
  int64_t axis = getAxis(), rank = getType().getRank();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " is not a dimension of a rank-" << rank << " tensor";
  return success();
}

LogicalResult DropoutOp::verify() {
  if (getInput().getType() != getType())
    return emitOpError("result must have the input's type");
  if (getElementTypeOrSelf(getKey().getType()) != getElementTypeOrSelf(getType()))
    return emitOpError("key must have the input's element type");
  double ratio = getRatio().convertToDouble();
  if (!(ratio >= 0.0 && ratio < 1.0))
    return emitOpError("ratio must be in [0, 1), got ") << ratio;
  return success();
}

static LogicalResult verifyLogitsAndLabels(Operation *op, Value logits, Value labels) {
  ArrayRef<int64_t> logitsShape = shapeOf(logits);
  if (logitsShape.size() != 2)
    return op->emitOpError("logits must be 2-D [batch, classes]");
  if (shapeOf(labels)[0] != logitsShape[0])
    return op->emitOpError("labels must have one entry per logits row");
  return verifyElementTypes(op);
}

LogicalResult SoftmaxXentOp::verify() {
  return verifyLogitsAndLabels(*this, getLogits(), getLabels());
}

LogicalResult SoftmaxXentGradOp::verify() {
  if (getType() != getLogits().getType())
    return emitOpError("result must have the logits type");
  return verifyLogitsAndLabels(*this, getLogits(), getLabels());
}

LogicalResult SoftmaxXentHvpOp::verify() {
  if (getType() != getLogits().getType() || getTangent().getType() != getType())
    return emitOpError("logits, tangent and result must have one type");
  if (getType().getRank() != 2)
    return emitOpError("logits must be 2-D [batch, classes]");
  return success();
}

//===----------------------------------------------------------------------===//
// ScheduleUpdateOp
//===----------------------------------------------------------------------===//

LogicalResult ScheduleUpdateOp::verify() {
  Type type = getEta().getType();
  for (Type other : llvm::concat<Type>(getOperandTypes(), getResultTypes()))
    if (other != type)
      return emitOpError("operands and results must all be ") << type;
  return success();
}

//===----------------------------------------------------------------------===//
// GradOp, JvpOp
//===----------------------------------------------------------------------===//

static FailureOr<func::FuncOp> lookupCallee(Operation *op, FlatSymbolRefAttr callee,
                                           SymbolTableCollection &symbolTable) {
  auto fn = symbolTable.lookupNearestSymbolFrom<func::FuncOp>(op, callee);
  if (!fn)
    return op->emitOpError("refers to an unknown function ") << callee;
  return fn;
}

static LogicalResult verifyWrt(Operation *op, ArrayRef<int64_t> wrt,
                               func::FuncOp fn) {
  for (int64_t index : wrt)
    if (index < 0 || index >= fn.getNumArguments() ||
        !llvm::isa<FloatType>(
            llvm::cast<RankedTensorType>(fn.getArgumentTypes()[index]).getElementType()))
      return op->emitOpError("wrt index ") << index
             << " is not a floating-point argument of " << fn.getSymName();
  return success();
}

LogicalResult GradOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  FailureOr<func::FuncOp> fn = lookupCallee(*this, getCalleeAttr(), symbolTable);
  if (failed(fn))
    return failure();
  if (!llvm::equal(fn->getFunctionType().getInputs(), getArgs().getTypes()))
    return emitOpError("argument types do not match ") << fn->getSymName();
  ArrayRef<Type> fnResults = fn->getFunctionType().getResults();
  if (fnResults.size() != 1 ||
      llvm::cast<RankedTensorType>(fnResults[0]).getRank() != 0)
    return emitOpError("callee must return one scalar");
  if (getResults().size() != 1 + getWrt().size())
    return emitOpError("must return the value and one gradient per wrt index");
  if (getResult(0).getType() != fnResults[0])
    return emitOpError("value must have the callee's result type ") << fnResults[0];
  if (failed(verifyWrt(*this, getWrt(), *fn)))
    return failure();
  for (auto [i, index] : llvm::enumerate(getWrt()))
    if (getResult(i + 1).getType() != getArgs()[index].getType())
      return emitOpError("gradient ") << i << " must have the type of argument " << index;
  return success();
}

LogicalResult JvpOp::verify() {
  if (getTangents().size() != getWrt().size())
    return emitOpError("needs one tangent per wrt index");
  return success();
}

LogicalResult JvpOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  FailureOr<func::FuncOp> fn = lookupCallee(*this, getCalleeAttr(), symbolTable);
  if (failed(fn))
    return failure();
  if (!llvm::equal(fn->getFunctionType().getInputs(), getArgs().getTypes()))
    return emitOpError("argument types do not match ") << fn->getSymName();
  if (failed(verifyWrt(*this, getWrt(), *fn)))
    return failure();
  for (auto [tangent, index] : llvm::zip(getTangents(), getWrt()))
    if (tangent.getType() != getArgs()[index].getType())
      return emitOpError("tangent for argument ") << index << " must have its type";
  SmallVector<Type> expected(fn->getResultTypes());
  for (Type type : fn->getResultTypes())
    if (llvm::isa<FloatType>(llvm::cast<RankedTensorType>(type).getElementType()))
      expected.push_back(type);
  if (!llvm::equal(expected, getResultTypes()))
    return emitOpError("results must be the callee's results followed by the tangents of "
                       "its floating-point results");
  return success();
}

//===----------------------------------------------------------------------===//
// FusedOp
//===----------------------------------------------------------------------===//

LogicalResult FusedOp::verify() {
  Block &body = getBody().front();
  if (!llvm::equal(body.getArgumentTypes(), getInputs().getTypes()))
    return emitOpError("block arguments must match the inputs");
  auto yield = llvm::dyn_cast<YieldOp>(body.getTerminator());
  if (!yield || !llvm::equal(yield.getValues().getTypes(), getResultTypes()))
    return emitOpError("must yield one value per result");
  for (Type type : getResultTypes())
    if (llvm::cast<RankedTensorType>(type).getShape() != shapeOf(getResult(0)))
      return emitOpError("results must all have the iteration shape");
  for (Value input : getInputs())
    if (!isSuffix(shapeOf(input), shapeOf(getResult(0))))
      return emitOpError("input shapes must be suffixes of the iteration shape");
  for (Operation &op : body.without_terminator())
    if (!isElementwise(&op) && !llvm::isa<ConstantOp>(op))
      return op.emitOpError("is not element-wise and cannot be fused");
  return success();
}

#define GET_OP_CLASSES
#include "dialect/MartheOps.cpp.inc"
