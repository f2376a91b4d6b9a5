// Every derivative rule of the marthe dialect: a vector-Jacobian product
// (reverse mode) and a Jacobian-vector product (forward mode) per op. A null
// Value is a zero adjoint or tangent. Two ops are never built inside one
// call's arguments: C++ leaves their order unspecified, and the IR (and the
// build fingerprint hashed from it) must not depend on the host compiler.

#include "dialect/MartheOps.h"

#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/Builders.h"

#include <cmath>

using namespace mlir;
using namespace marthe;

using Rule = FailureOr<SmallVector<Value>>;

namespace {
/// Builds ops at one location, treating null Values as zeros.
struct RuleBuilder {
  OpBuilder &b;
  Location loc;

  Value add(Value x, Value y) {
    if (!x || !y)
      return x ? x : y;
    return AddOp::create(b, loc, x, y);
  }
  Value sub(Value x, Value y) {
    if (!y)
      return x;
    if (!x)
      return NegOp::create(b, loc, y);
    return SubOp::create(b, loc, x, y);
  }
  Value mul(Value x, Value y) {
    if (!x || !y)
      return {};
    return MulOp::create(b, loc, x, y);
  }
  Value div(Value x, Value y) {
    if (!x)
      return {};
    return DivOp::create(b, loc, x, y);
  }
  Value neg(Value x) { return x ? NegOp::create(b, loc, x) : Value(); }
  Value scalar(Value like, double value) {
    auto type = llvm::cast<RankedTensorType>(like.getType());
    return ConstantOp::createSplat(b, loc, RankedTensorType::get({}, type.getElementType()),
                                   value);
  }
  Value matmul(Value x, Value y, bool transposeX, bool transposeY) {
    if (!x || !y)
      return {};
    return MatmulOp::create(b, loc, x, y, transposeX, transposeY);
  }
  /// Sums an adjoint of a broadcast result back to an operand's type.
  Value sumTo(Value adjoint, Type type) {
    if (!adjoint || adjoint.getType() == type)
      return adjoint;
    return SumToOp::create(b, loc, type, adjoint);
  }
  /// Broadcasts a tangent of an operand to the result type.
  Value broadcastTo(Value tangent, Type type) {
    if (!tangent || tangent.getType() == type)
      return tangent;
    return AddOp::create(b, loc, type, ConstantOp::createSplat(b, loc, type, 0.0),
                         tangent);
  }
};

RuleBuilder rules(OpBuilder &builder, Operation *op) { return {builder, op->getLoc()}; }
} // namespace

//===----------------------------------------------------------------------===//
// Element-wise binary ops
//===----------------------------------------------------------------------===//

Rule AddOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  RuleBuilder r = rules(builder, *this);
  return SmallVector<Value>{r.sumTo(adjoints[0], getLhs().getType()),
                            r.sumTo(adjoints[0], getRhs().getType())};
}

Rule AddOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  RuleBuilder r = rules(builder, *this);
  return SmallVector<Value>{r.broadcastTo(r.add(tangents[0], tangents[1]), getType())};
}

Rule SubOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  RuleBuilder r = rules(builder, *this);
  return SmallVector<Value>{r.sumTo(adjoints[0], getLhs().getType()),
                            r.sumTo(r.neg(adjoints[0]), getRhs().getType())};
}

Rule SubOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  RuleBuilder r = rules(builder, *this);
  return SmallVector<Value>{r.broadcastTo(r.sub(tangents[0], tangents[1]), getType())};
}

Rule MulOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  RuleBuilder r = rules(builder, *this);
  return SmallVector<Value>{r.sumTo(r.mul(adjoints[0], getRhs()), getLhs().getType()),
                            r.sumTo(r.mul(adjoints[0], getLhs()), getRhs().getType())};
}

Rule MulOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  RuleBuilder r = rules(builder, *this);
  Value first = r.mul(tangents[0], getRhs());
  Value second = r.mul(getLhs(), tangents[1]);
  Value tangent = r.add(first, second);
  return SmallVector<Value>{r.broadcastTo(tangent, getType())};
}

// d(l / r) = (dl - (l / r) dr) / r
Rule DivOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  RuleBuilder r = rules(builder, *this);
  Value scaled = r.div(adjoints[0], getRhs());
  return SmallVector<Value>{r.sumTo(scaled, getLhs().getType()),
                            r.sumTo(r.neg(r.mul(scaled, getResult())), getRhs().getType())};
}

Rule DivOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  RuleBuilder r = rules(builder, *this);
  Value numerator = r.sub(tangents[0], r.mul(getResult(), tangents[1]));
  return SmallVector<Value>{r.broadcastTo(r.div(numerator, getRhs()), getType())};
}

// relu_grad(x, d) is linear in d; its derivative in x is zero almost everywhere.
Rule ReluGradOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  if (!adjoints[0])
    return SmallVector<Value>{Value(), Value()};
  RuleBuilder r = rules(builder, *this);
  Value adjoint = ReluGradOp::create(builder, getLoc(), getLhs(), adjoints[0]);
  return SmallVector<Value>{Value(), r.sumTo(adjoint, getRhs().getType())};
}

Rule ReluGradOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  if (!tangents[1])
    return SmallVector<Value>{Value()};
  return SmallVector<Value>{ReluGradOp::create(builder, getLoc(), getLhs(), tangents[1])};
}

// sqrt_grad(y, v) = v / (2y) is linear in v; its derivative in y is
// -v / (2y^2) = -2 sqrt_grad(y, sqrt_grad(y, v)), keeping the y > 0 guard.
static Value sqrtGradInY(RuleBuilder &r, SqrtGradOp op, Value scale) {
  if (!scale)
    return {};
  Value inner = SqrtGradOp::create(r.b, r.loc, op.getLhs(), r.mul(op.getRhs(), scale));
  Value twice = SqrtGradOp::create(r.b, r.loc, op.getLhs(), inner);
  return r.mul(twice, r.scalar(twice, -2.0));
}

Rule SqrtGradOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  RuleBuilder r = rules(builder, *this);
  Value dz = adjoints[0];
  Value dv = dz ? SqrtGradOp::create(builder, getLoc(), getLhs(), dz).getResult() : Value();
  return SmallVector<Value>{r.sumTo(sqrtGradInY(r, *this, dz), getLhs().getType()),
                            r.sumTo(dv, getRhs().getType())};
}

Rule SqrtGradOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  RuleBuilder r = rules(builder, *this);
  Value linear = tangents[1]
                     ? SqrtGradOp::create(builder, getLoc(), getLhs(), tangents[1]).getResult()
                     : Value();
  return SmallVector<Value>{r.broadcastTo(r.add(linear, sqrtGradInY(r, *this, tangents[0])),
                                          getType())};
}

//===----------------------------------------------------------------------===//
// Element-wise unary ops
//===----------------------------------------------------------------------===//

Rule NegOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{rules(builder, *this).neg(adjoints[0])};
}

Rule NegOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{rules(builder, *this).neg(tangents[0])};
}

static Value reluDerivative(OpBuilder &builder, ReluOp op, Value v) {
  return v ? ReluGradOp::create(builder, op.getLoc(), op.getInput(), v) : Value();
}

Rule ReluOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{reluDerivative(builder, *this, adjoints[0])};
}

Rule ReluOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{reluDerivative(builder, *this, tangents[0])};
}

// tanh' = 1 - y^2, applied as v - v*y*y.
static Value tanhDerivative(OpBuilder &builder, TanhOp op, Value v) {
  RuleBuilder r = rules(builder, op);
  Value y = op.getResult();
  return r.sub(v, r.mul(r.mul(v, y), y));
}

Rule TanhOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{tanhDerivative(builder, *this, adjoints[0])};
}

Rule TanhOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{tanhDerivative(builder, *this, tangents[0])};
}

// sigmoid' = y (1 - y), applied as (v y)(1 - y): no exp to overflow, and
// 1 - y is exact where y is near 1.
static Value sigmoidDerivative(OpBuilder &builder, SigmoidOp op, Value v) {
  if (!v)
    return Value();
  RuleBuilder r = rules(builder, op);
  Value y = op.getResult();
  Value one = ConstantOp::createSplat(builder, op.getLoc(),
                                      RankedTensorType::get({}, getElementTypeOrSelf(y)), 1.0);
  Value vy = r.mul(v, y);
  return r.mul(vy, r.sub(one, y));
}

// clamp' = 1 strictly between the bounds: v passes where x - min > 0 and
// max - x > 0 (signs of differences are exact, unlike sums with the bounds).
static Value clampDerivative(OpBuilder &builder, ClampOp op, Value v) {
  if (!v)
    return Value();
  Location loc = op.getLoc();
  Value x = op.getInput();
  auto scalarType = RankedTensorType::get({}, getElementTypeOrSelf(x));
  if (FloatAttr min = op.getMinAttr()) {
    Value bound = ConstantOp::createSplat(builder, loc, scalarType, min.getValueAsDouble());
    v = ReluGradOp::create(builder, loc, SubOp::create(builder, loc, x, bound), v);
  }
  if (FloatAttr max = op.getMaxAttr()) {
    Value bound = ConstantOp::createSplat(builder, loc, scalarType, max.getValueAsDouble());
    v = ReluGradOp::create(builder, loc, SubOp::create(builder, loc, bound, x), v);
  }
  return v;
}

Rule ClampOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{clampDerivative(builder, *this, adjoints[0])};
}

Rule ClampOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{clampDerivative(builder, *this, tangents[0])};
}

// exp' = exp: v y.
Rule ExpOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{rules(builder, *this).mul(adjoints[0], getResult())};
}

Rule ExpOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{rules(builder, *this).mul(tangents[0], getResult())};
}

// erf' = 2/sqrt(pi) exp(-x^2).
static Value erfDerivative(OpBuilder &builder, ErfOp op, Value v) {
  if (!v)
    return Value();
  RuleBuilder r = rules(builder, op);
  Value x = op.getInput();
  Value square = r.mul(x, x);
  Value gaussian = ExpOp::create(builder, op.getLoc(), r.neg(square));
  Value slope = r.mul(r.scalar(x, 2 / std::sqrt(M_PI)), gaussian);
  return r.mul(v, slope);
}

Rule ErfOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{erfDerivative(builder, *this, adjoints[0])};
}

Rule ErfOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{erfDerivative(builder, *this, tangents[0])};
}

Rule SigmoidOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{sigmoidDerivative(builder, *this, adjoints[0])};
}

Rule SigmoidOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{sigmoidDerivative(builder, *this, tangents[0])};
}

// sqrt' = 1 / (2 y), taken as 0 where y = 0 (docs/DESIGN.md §3: Adam's ds is 0 where s = 0).
static Value sqrtDerivative(OpBuilder &builder, SqrtOp op, Value v) {
  return v ? SqrtGradOp::create(builder, op.getLoc(), op.getResult(), v) : Value();
}

Rule SqrtOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{sqrtDerivative(builder, *this, adjoints[0])};
}

Rule SqrtOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{sqrtDerivative(builder, *this, tangents[0])};
}

//===----------------------------------------------------------------------===//
// Layout, contractions, reductions
//===----------------------------------------------------------------------===//

/// `OpTy(v)` with result `type`, for the linear layout ops; no value for none.
template <typename OpTy>
static Value linearTo(OpBuilder &builder, Location loc, Value v, Type type) {
  return v ? OpTy::create(builder, loc, type, v).getResult() : Value();
}

Rule ReshapeOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{
      linearTo<ReshapeOp>(builder, getLoc(), adjoints[0], getInput().getType())};
}

Rule ReshapeOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{linearTo<ReshapeOp>(builder, getLoc(), tangents[0], getType())};
}

// Converting is linear: derivatives convert back (adjoints) or along (tangents).
Rule ConvertOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{
      linearTo<ConvertOp>(builder, getLoc(), adjoints[0], getInput().getType())};
}

Rule ConvertOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{linearTo<ConvertOp>(builder, getLoc(), tangents[0], getType())};
}

// Broadcasting and summing back are each other's adjoints; both are linear.
Rule BroadcastOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{
      linearTo<ReduceSumOp>(builder, getLoc(), adjoints[0], getInput().getType())};
}

Rule BroadcastOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{linearTo<BroadcastOp>(builder, getLoc(), tangents[0], getType())};
}

Rule ReduceSumOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{
      linearTo<BroadcastOp>(builder, getLoc(), adjoints[0], getInput().getType())};
}

Rule ReduceSumOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{linearTo<ReduceSumOp>(builder, getLoc(), tangents[0], getType())};
}

// Transposes are linear: the adjoint goes back through the inverse
// permutation, the tangent through the same one.
Rule TransposeOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  if (!adjoints[0])
    return SmallVector<Value>{Value()};
  SmallVector<int64_t> inverse(getPermutation().size());
  for (auto [i, from] : llvm::enumerate(getPermutation()))
    inverse[from] = i;
  return SmallVector<Value>{TransposeOp::create(builder, getLoc(), adjoints[0], inverse)};
}

Rule TransposeOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return SmallVector<Value>{Value()};
  return SmallVector<Value>{
      TransposeOp::create(builder, getLoc(), tangents[0], getPermutation())};
}

// C = a b with a = op(A), b = op(B): da = dC b^T and db = a^T dC, transposed
// back when A or B enter transposed.
Rule MatmulOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  RuleBuilder r = rules(builder, *this);
  Value dC = adjoints[0];
  bool tA = getTransposeLhs(), tB = getTransposeRhs();
  Value dA = tA ? r.matmul(getRhs(), dC, tB, true) : r.matmul(dC, getRhs(), false, !tB);
  Value dB = tB ? r.matmul(dC, getLhs(), true, tA) : r.matmul(getLhs(), dC, !tA, false);
  return SmallVector<Value>{dA, dB};
}

Rule MatmulOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  RuleBuilder r = rules(builder, *this);
  bool tA = getTransposeLhs(), tB = getTransposeRhs();
  Value first = r.matmul(tangents[0], getRhs(), tA, tB);
  Value second = r.matmul(getLhs(), tangents[1], tA, tB);
  return SmallVector<Value>{r.add(first, second)};
}

// Concatenation and slicing are linear and each other's adjoints.
Rule ConcatOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  SmallVector<Value> parts;
  int64_t offset = 0;
  for (Value input : getInputs()) {
    parts.push_back(adjoints[0] ? SliceOp::create(builder, getLoc(), input.getType(), adjoints[0],
                                                  getAxisAttr(), builder.getI64IntegerAttr(offset))
                                      .getResult()
                                : Value());
    offset += llvm::cast<RankedTensorType>(input.getType()).getDimSize(getAxis());
  }
  return parts;
}

Rule ConcatOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  if (llvm::all_of(tangents, [](Value t) { return !t; }))
    return SmallVector<Value>{Value()};
  SmallVector<Value> parts;
  for (auto [input, tangent] : llvm::zip(getInputs(), tangents))
    parts.push_back(tangent ? tangent
                            : ConstantOp::createSplat(builder, getLoc(), input.getType(), 0.0));
  return SmallVector<Value>{
      ConcatOp::create(builder, getLoc(), getType(), parts, getAxisAttr()).getResult()};
}

Rule SliceOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  if (!adjoints[0])
    return SmallVector<Value>{Value()};
  auto from = llvm::cast<RankedTensorType>(getInput().getType());
  int64_t axis = getAxis(), before = getOffset();
  int64_t after = from.getDimSize(axis) - before - getType().getDimSize(axis);
  SmallVector<Value> parts;
  auto zeros = [&](int64_t size) {
    SmallVector<int64_t> shape(from.getShape());
    shape[axis] = size;
    parts.push_back(ConstantOp::createSplat(
        builder, getLoc(), RankedTensorType::get(shape, from.getElementType()), 0.0));
  };
  if (before)
    zeros(before);
  parts.push_back(adjoints[0]);
  if (after)
    zeros(after);
  return SmallVector<Value>{
      ConcatOp::create(builder, getLoc(), from, parts, getAxisAttr()).getResult()};
}

Rule SliceOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return SmallVector<Value>{Value()};
  return SmallVector<Value>{SliceOp::create(builder, getLoc(), getType(), tangents[0],
                                            getAxisAttr(), getOffsetAttr())
                                .getResult()};
}

Rule SumToOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{
      rules(builder, *this).broadcastTo(adjoints[0], getInput().getType())};
}

Rule SumToOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return SmallVector<Value>{Value()};
  return SmallVector<Value>{SumToOp::create(builder, getLoc(), getType(), tangents[0])};
}

Rule DotOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  RuleBuilder r = rules(builder, *this);
  return SmallVector<Value>{r.mul(getRhs(), adjoints[0]), r.mul(getLhs(), adjoints[0])};
}

static Value dot(OpBuilder &builder, Location loc, Value x, Value y) {
  return x && y ? DotOp::create(builder, loc, x, y) : Value();
}

Rule DotOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  RuleBuilder r = rules(builder, *this);
  Value first = dot(builder, getLoc(), tangents[0], getRhs());
  Value second = dot(builder, getLoc(), getLhs(), tangents[1]);
  return SmallVector<Value>{r.add(first, second)};
}

//===----------------------------------------------------------------------===//
// Softmax: with p = exp(y), the Jacobian of y = log_softmax(x) is I - 1 p^T
// along the axis: tangent t - sum(p t), adjoint v - p sum(v).
//===----------------------------------------------------------------------===//

/// sum(v) along the op's axis, broadcast back over it.
static Value sumAlongAxis(OpBuilder &builder, LogSoftmaxOp op, Value v) {
  RankedTensorType type = op.getType();
  SmallVector<int64_t> kept(type.getShape());
  kept[op.getAxis()] = 1;
  Value sum = ReduceSumOp::create(builder, op.getLoc(),
                                  RankedTensorType::get(kept, type.getElementType()), v);
  return BroadcastOp::create(builder, op.getLoc(), type, sum);
}

Rule LogSoftmaxOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  if (!adjoints[0])
    return SmallVector<Value>{Value()};
  RuleBuilder r = rules(builder, *this);
  Value p = ExpOp::create(builder, getLoc(), getResult());
  return SmallVector<Value>{
      r.sub(adjoints[0], r.mul(p, sumAlongAxis(builder, *this, adjoints[0])))};
}

Rule LogSoftmaxOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return SmallVector<Value>{Value()};
  RuleBuilder r = rules(builder, *this);
  Value p = ExpOp::create(builder, getLoc(), getResult());
  return SmallVector<Value>{
      r.sub(tangents[0], sumAlongAxis(builder, *this, r.mul(p, tangents[0])))};
}

//===----------------------------------------------------------------------===//
// Dropout: linear in its input, with the same mask for adjoints and tangents
//===----------------------------------------------------------------------===//

static Value sameMask(OpBuilder &builder, DropoutOp op, Value v) {
  if (!v)
    return {};
  return DropoutOp::create(builder, op.getLoc(), op.getType(), v, op.getKey(), op.getRatioAttr(),
                           op.getSaltAttr());
}

Rule DropoutOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{sameMask(builder, *this, adjoints[0]), Value()};
}

Rule DropoutOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{sameMask(builder, *this, tangents[0])};
}

//===----------------------------------------------------------------------===//
// Cross-entropy
//===----------------------------------------------------------------------===//

Rule SoftmaxXentOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  if (!adjoints[0])
    return SmallVector<Value>{Value(), Value()};
  Value grad = SoftmaxXentGradOp::create(builder, getLoc(), getLogits().getType(),
                                         getLogits(), getLabels());
  return SmallVector<Value>{rules(builder, *this).mul(grad, adjoints[0]), Value()};
}

Rule SoftmaxXentOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  if (!tangents[0])
    return SmallVector<Value>{Value()};
  Value grad = SoftmaxXentGradOp::create(builder, getLoc(), getLogits().getType(),
                                         getLogits(), getLabels());
  return SmallVector<Value>{dot(builder, getLoc(), grad, tangents[0])};
}

// The Hessian of the mean cross-entropy in the logits is symmetric, so the
// adjoint and the tangent of its gradient are the same product.
static Value hessianProduct(OpBuilder &builder, SoftmaxXentGradOp op, Value v) {
  if (!v)
    return {};
  return SoftmaxXentHvpOp::create(builder, op.getLoc(), op.getType(), op.getLogits(), v);
}

Rule SoftmaxXentGradOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{hessianProduct(builder, *this, adjoints[0]), Value()};
}

Rule SoftmaxXentGradOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{hessianProduct(builder, *this, tangents[0])};
}

// Linear in the tangent; the third derivative in the logits is not provided.
Rule SoftmaxXentHvpOp::buildVjp(OpBuilder &, ArrayRef<Value>) {
  return emitOpError("has no reverse-mode rule (third derivative of cross-entropy)");
}

Rule SoftmaxXentHvpOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  if (tangents[0])
    return emitOpError("has no forward-mode rule in the logits "
                       "(third derivative of cross-entropy)");
  if (!tangents[1])
    return SmallVector<Value>{Value()};
  return SmallVector<Value>{SoftmaxXentHvpOp::create(builder, getLoc(), getType(),
                                                     getLogits(), tangents[1])};
}

//===----------------------------------------------------------------------===//
// Windows: convolutions are bilinear and their two backward ops are each
// other's adjoints, so the family of three is closed under both modes; max
// pooling is linear in its values and locally constant in its keys.
//===----------------------------------------------------------------------===//

/// `OpTy(a, c)` of `type` with the geometry of `like`; no value when an
/// operand is a zero.
template <typename OpTy>
static Value sameWindow(OpBuilder &builder, Operation *like, Type type, Value a, Value c) {
  if (!a || !c)
    return {};
  return OpTy::create(builder, like->getLoc(), TypeRange{type}, ValueRange{a, c},
                      like->getAttrs())
      ->getResult(0);
}

/// The tangent of a bilinear window op f(a, c): f(ta, c) + f(a, tc).
template <typename OpTy>
static Rule bilinearJvp(OpBuilder &builder, OpTy op, ArrayRef<Value> tangents) {
  RuleBuilder r = rules(builder, op);
  Value a = op->getOperand(0), c = op->getOperand(1);
  Type type = op.getType();
  Value first = sameWindow<OpTy>(builder, op, type, tangents[0], c);
  Value second = sameWindow<OpTy>(builder, op, type, a, tangents[1]);
  return SmallVector<Value>{r.add(first, second)};
}

Rule Conv2dOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  Value dy = adjoints[0];
  return SmallVector<Value>{
      sameWindow<Conv2dBackwardDataOp>(builder, *this, getInput().getType(), dy, getFilter()),
      sameWindow<Conv2dBackwardFilterOp>(builder, *this, getFilter().getType(), getInput(), dy)};
}

Rule Conv2dOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return bilinearJvp(builder, *this, tangents);
}

Rule Conv2dBackwardDataOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  Value a = adjoints[0];
  return SmallVector<Value>{
      sameWindow<Conv2dOp>(builder, *this, getOutputAdjoint().getType(), a, getFilter()),
      sameWindow<Conv2dBackwardFilterOp>(builder, *this, getFilter().getType(), a,
                                         getOutputAdjoint())};
}

Rule Conv2dBackwardDataOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return bilinearJvp(builder, *this, tangents);
}

Rule Conv2dBackwardFilterOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  Value a = adjoints[0];
  return SmallVector<Value>{
      sameWindow<Conv2dBackwardDataOp>(builder, *this, getInput().getType(), getOutputAdjoint(),
                                       a),
      sameWindow<Conv2dOp>(builder, *this, getOutputAdjoint().getType(), getInput(), a)};
}

Rule Conv2dBackwardFilterOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return bilinearJvp(builder, *this, tangents);
}

Rule MaxPool2dOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{Value(), sameWindow<MaxUnpool2dOp>(builder, *this,
                                                               getValues().getType(), getKeys(),
                                                               adjoints[0])};
}

Rule MaxPool2dOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{
      sameWindow<MaxPool2dOp>(builder, *this, getType(), getKeys(), tangents[1])};
}

Rule MaxUnpool2dOp::buildVjp(OpBuilder &builder, ArrayRef<Value> adjoints) {
  return SmallVector<Value>{Value(), sameWindow<MaxPool2dOp>(builder, *this,
                                                             getValues().getType(), getKeys(),
                                                             adjoints[0])};
}

Rule MaxUnpool2dOp::buildJvp(OpBuilder &builder, ArrayRef<Value> tangents) {
  return SmallVector<Value>{
      sameWindow<MaxUnpool2dOp>(builder, *this, getType(), getKeys(), tangents[1])};
}
