// marthe-lower-to-linalg: element-wise groups, reductions, the schedule update,
// reshapes and constants become linalg/tensor/arith ops on tensors, the loop
// nests that every target lowers.

#include "passes/FunctionUtils.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"

namespace marthe {
#define GEN_PASS_DEF_LOWERTOLINALG
#include "passes/Passes.h.inc"
} // namespace marthe

#include <limits>

using namespace mlir;
using namespace marthe;

namespace {

RankedTensorType tensorType(Value value) { return llvm::cast<RankedTensorType>(value.getType()); }

/// The map from a rank-`rank` iteration space to an operand whose shape is a
/// suffix of it (suffix broadcasting; a scalar reads no index).
AffineMap suffixMap(unsigned rank, unsigned operandRank, MLIRContext *context) {
  SmallVector<AffineExpr> results;
  for (unsigned d = rank - operandRank; d < rank; ++d)
    results.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, results, context);
}

Value scalarConstant(OpBuilder &builder, Location loc, Type type, double value) {
  return arith::ConstantOp::create(builder, loc, type, builder.getFloatAttr(type, value));
}

/// `x <= 0 ? 0 : then`.
Value positiveSelect(OpBuilder &b, Location loc, Value x, Value then) {
  // x <= 0 is false for NaN: a NaN input passes through (divergence must
  // reach the loss, not be masked to 0).
  Value zero = scalarConstant(b, loc, x.getType(), 0.0);
  Value notPositive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, x, zero);
  return arith::SelectOp::create(b, loc, notPositive, zero, then);
}

/// `a < b ? b : a` (std::max) and `a < b ? a : b` (std::min), NaN as in C++.
Value maxOf(OpBuilder &b, Location loc, Value a, Value c) {
  Value less = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, a, c);
  return arith::SelectOp::create(b, loc, less, c, a);
}
Value minOf(OpBuilder &b, Location loc, Value a, Value c) {
  Value less = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, c, a);
  return arith::SelectOp::create(b, loc, less, c, a);
}

/// The scalar form of one element-wise op of a fused body.
FailureOr<Value> scalarOp(OpBuilder &b, Operation *op, ArrayRef<Value> operands) {
  Location loc = op->getLoc();
  return llvm::TypeSwitch<Operation *, FailureOr<Value>>(op)
      .Case<AddOp>(
          [&](auto) { return arith::AddFOp::create(b, loc, operands[0], operands[1]).getResult(); })
      .Case<SubOp>(
          [&](auto) { return arith::SubFOp::create(b, loc, operands[0], operands[1]).getResult(); })
      .Case<MulOp>(
          [&](auto) { return arith::MulFOp::create(b, loc, operands[0], operands[1]).getResult(); })
      .Case<DivOp>(
          [&](auto) { return arith::DivFOp::create(b, loc, operands[0], operands[1]).getResult(); })
      .Case<NegOp>([&](auto) { return arith::NegFOp::create(b, loc, operands[0]).getResult(); })
      .Case<TanhOp>([&](auto) { return math::TanhOp::create(b, loc, operands[0]).getResult(); })
      .Case<ExpOp>([&](auto) { return math::ExpOp::create(b, loc, operands[0]).getResult(); })
      .Case<ErfOp>([&](auto) { return math::ErfOp::create(b, loc, operands[0]).getResult(); })
      .Case<SqrtOp>([&](auto) { return math::SqrtOp::create(b, loc, operands[0]).getResult(); })
      .Case<ClampOp>([&](ClampOp clamp) {
        Value y = operands[0];
        Type type = y.getType();
        if (FloatAttr min = clamp.getMinAttr())
          y = maxOf(b, loc, y, scalarConstant(b, loc, type, min.getValueAsDouble()));
        if (FloatAttr max = clamp.getMaxAttr())
          y = minOf(b, loc, y, scalarConstant(b, loc, type, max.getValueAsDouble()));
        return y;
      })
      .Case<SigmoidOp>([&](auto) {
        Value one = scalarConstant(b, loc, operands[0].getType(), 1.0);
        Value negated = arith::NegFOp::create(b, loc, operands[0]);
        Value denominator =
            arith::AddFOp::create(b, loc, one, math::ExpOp::create(b, loc, negated));
        return arith::DivFOp::create(b, loc, one, denominator).getResult();
      })
      .Case<ReluOp>([&](auto) { return positiveSelect(b, loc, operands[0], operands[0]); })
      .Case<ReluGradOp>([&](auto) { return positiveSelect(b, loc, operands[0], operands[1]); })
      .Case<SqrtGradOp>([&](auto) {
        Value twice = arith::AddFOp::create(b, loc, operands[0], operands[0]);
        Value quotient = arith::DivFOp::create(b, loc, operands[1], twice);
        return positiveSelect(b, loc, operands[0], quotient);
      })
      .Default([&](Operation *other) -> FailureOr<Value> {
        return other->emitOpError("has no scalar form for a loop nest");
      });
}

/// marthe.fused -> one linalg.generic over the iteration shape.
LogicalResult lowerFused(FusedOp fused, IRRewriter &rewriter) {
  Location loc = fused.getLoc();
  RankedTensorType iteration = tensorType(fused.getResult(0));
  unsigned rank = iteration.getRank();
  MLIRContext *context = fused.getContext();
  SmallVector<AffineMap> maps;
  for (Value input : fused.getInputs())
    maps.push_back(suffixMap(rank, tensorType(input).getRank(), context));
  SmallVector<Value> inits;
  for (Value result : fused.getResults()) {
    inits.push_back(createEmptyTensor(rewriter, loc, tensorType(result)));
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
  }
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  Block &body = fused.getBody().front();
  LogicalResult status = success();
  auto generic = linalg::GenericOp::create(
      rewriter, loc, fused.getResultTypes(), fused.getInputs(), inits, maps, iterators,
      [&](OpBuilder &b, Location, ValueRange scalars) {
        DenseMap<Value, Value> scalarOf;
        for (auto [arg, scalar] : llvm::zip(body.getArguments(), scalars))
          scalarOf[arg] = scalar;
        for (Operation &op : body.without_terminator()) {
          if (auto constant = llvm::dyn_cast<ConstantOp>(op)) {
            auto attr = llvm::cast<DenseElementsAttr>(constant.getValue());
            if (!attr.isSplat()) {
              status = constant.emitOpError("in a fused body must be a splat");
              return;
            }
            scalarOf[constant.getResult()] =
                arith::ConstantOp::create(b, op.getLoc(), attr.getSplatValue<TypedAttr>());
            continue;
          }
          SmallVector<Value> operands;
          for (Value operand : op.getOperands())
            operands.push_back(scalarOf.lookup(operand));
          FailureOr<Value> scalar = scalarOp(b, &op, operands);
          if (failed(scalar)) {
            status = failure();
            return;
          }
          scalarOf[op.getResult(0)] = *scalar;
        }
        SmallVector<Value> yielded;
        for (Value value : body.getTerminator()->getOperands())
          yielded.push_back(scalarOf.lookup(value));
        linalg::YieldOp::create(b, loc, yielded);
      });
  if (failed(status))
    return generic.emitOpError("could not be built from a fused group"), failure();
  rewriter.replaceOp(fused, generic.getResults());
  return success();
}

/// A tensor of `type` filled with zeros (the init of a sum).
Value zeros(OpBuilder &b, Location loc, RankedTensorType type) {
  Value zero = scalarConstant(b, loc, type.getElementType(), 0.0);
  return linalg::FillOp::create(b, loc, ValueRange{zero},
                                ValueRange{createEmptyTensor(b, loc, type)})
      .getResult(0);
}

/// sum_to: the leading dimensions are reduced, the suffix is kept.
LogicalResult lowerSumTo(SumToOp op, IRRewriter &rewriter) {
  Location loc = op.getLoc();
  unsigned rank = tensorType(op.getInput()).getRank();
  unsigned kept = tensorType(op.getResult()).getRank();
  SmallVector<utils::IteratorType> iterators(rank - kept, utils::IteratorType::reduction);
  iterators.append(kept, utils::IteratorType::parallel);
  SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank),
                              suffixMap(rank, kept, op.getContext())};
  auto generic = linalg::GenericOp::create(
      rewriter, loc, op.getType(), op.getInput(), zeros(rewriter, loc, op.getType()), maps,
      iterators, [](OpBuilder &b, Location loc, ValueRange args) {
        linalg::YieldOp::create(b, loc,
                                arith::AddFOp::create(b, loc, args[0], args[1]).getResult());
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

/// Dots in one loop nest: each product accumulated in f64 (reassociable, so
/// the loop vectorizes), then rounded to the result type. Dots that share an
/// operand read it once.
LogicalResult lowerDots(MutableArrayRef<DotOp> dots, IRRewriter &rewriter) {
  DotOp first = dots.front();
  Location loc = first.getLoc();
  MLIRContext *context = first.getContext();
  unsigned rank = tensorType(first.getLhs()).getRank();
  Type f64 = rewriter.getF64Type();
  auto accumulatorType = RankedTensorType::get({}, f64);
  llvm::SetVector<Value> inputs;
  for (DotOp dot : dots)
    inputs.insert_range(ValueRange{dot.getLhs(), dot.getRhs()});
  SmallVector<AffineMap> maps(inputs.size(), rewriter.getMultiDimIdentityMap(rank));
  SmallVector<Value> accumulators;
  for (size_t i = 0; i < dots.size(); ++i) {
    maps.push_back(AffineMap::get(rank, 0, {}, context));
    accumulators.push_back(zeros(rewriter, loc, accumulatorType));
  }
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::reduction);
  auto reassoc = arith::FastMathFlagsAttr::get(context, arith::FastMathFlags::reassoc);
  SmallVector<Type> sumTypes(dots.size(), accumulatorType);
  auto sums = linalg::GenericOp::create(
      rewriter, loc, sumTypes, inputs.getArrayRef(), accumulators, maps, iterators,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        auto widened = [&](Value input) -> Value {
          Value scalar = args[std::distance(inputs.begin(), llvm::find(inputs, input))];
          if (scalar.getType() == f64)
            return scalar;
          return arith::ExtFOp::create(b, loc, f64, scalar);
        };
        SmallVector<Value> yielded;
        for (auto [i, dot] : llvm::enumerate(dots)) {
          Value lhs = widened(dot.getLhs());
          Value rhs = widened(dot.getRhs());
          Value product = arith::MulFOp::create(b, loc, lhs, rhs, reassoc);
          yielded.push_back(
              arith::AddFOp::create(b, loc, product, args[inputs.size() + i], reassoc));
        }
        linalg::YieldOp::create(b, loc, yielded);
      });
  AffineMap scalar = AffineMap::get(0, 0, {}, context);
  for (auto [dot, sum] : llvm::zip(dots, sums.getResults())) {
    Value result = sum;
    Type element = dot.getType().getElementType();
    if (element != f64)
      result =
          linalg::GenericOp::create(
              rewriter, loc, dot.getType(), result, createEmptyTensor(rewriter, loc, dot.getType()),
              SmallVector<AffineMap>{scalar, scalar}, {},
              [&](OpBuilder &b, Location loc, ValueRange args) {
                linalg::YieldOp::create(
                    b, loc, arith::TruncFOp::create(b, loc, element, args[0]).getResult());
              })
              .getResult(0);
    rewriter.replaceOp(dot, result);
  }
  return success();
}

/// Groups the dots of `block` that can share a loop nest, computed where the
/// first of them is: the same operand type, an operand in common with the
/// group, and operands that are defined before the group's first dot.
SmallVector<SmallVector<DotOp>> groupDots(Block &block) {
  SmallVector<SmallVector<DotOp>> groups;
  for (DotOp dot : block.getOps<DotOp>()) {
    auto joins = [&](SmallVector<DotOp> &group) {
      DotOp first = group.front();
      if (first.getLhs().getType() != dot.getLhs().getType())
        return false;
      auto definedBeforeFirst = [&](Value operand) {
        Operation *def = operand.getDefiningOp();
        return !def || def->isBeforeInBlock(first);
      };
      auto sharesOperand = [&](DotOp other) {
        for (Value operand : {other.getLhs(), other.getRhs()})
          if (operand == dot.getLhs() || operand == dot.getRhs())
            return true;
        return false;
      };
      return definedBeforeFirst(dot.getLhs()) && definedBeforeFirst(dot.getRhs()) &&
             llvm::any_of(group, sharesOperand);
    };
    auto group = llvm::find_if(groups, joins);
    if (group != groups.end())
      group->push_back(dot);
    else
      groups.push_back({dot});
  }
  return groups;
}


/// The schedule update (docs/DESIGN.md §3) as a rank-0 loop nest.
LogicalResult lowerScheduleUpdate(ScheduleUpdateOp op, IRRewriter &rewriter) {
  Location loc = op.getLoc();
  AffineMap scalar = AffineMap::get(0, 0, {}, op.getContext());
  SmallVector<Value> inits;
  for (Value result : op.getResults())
    inits.push_back(createEmptyTensor(rewriter, loc, tensorType(result)));
  SmallVector<AffineMap> maps(op->getNumOperands() + inits.size(), scalar);
  bool adaptive = op.getAdaptiveMu();
  auto generic = linalg::GenericOp::create(
      rewriter, loc, op.getResultTypes(), op->getOperands(), inits, maps, {},
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value eta = args[0], beta = args[1], mu = args[2], c = args[3], hgPrev = args[4],
              hg = args[5], g1 = args[6], alpha = args[7];
        Type type = eta.getType();
        Value zero = scalarConstant(b, loc, type, 0.0), one = scalarConstant(b, loc, type, 1.0);
        auto mul = [&](Value x, Value y) {
          return arith::MulFOp::create(b, loc, x, y).getResult();
        };
        Value newBeta =
            maxOf(b, loc, arith::AddFOp::create(b, loc, beta, mul(mul(alpha, hg), hgPrev)), zero);
        Value newEta = maxOf(b, loc, arith::SubFOp::create(b, loc, eta, mul(newBeta, hg)), zero);
        Value ratio = arith::DivFOp::create(b, loc, hg, g1);
        Value clamped = minOf(b, loc, maxOf(b, loc, ratio, zero), one);
        Value g1IsZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, g1, zero);
        Value q = arith::SelectOp::create(b, loc, g1IsZero, zero, clamped);
        Value newMu = mu;
        if (adaptive) {
          Value exponent =
              arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, c, one));
          newMu = math::PowFOp::create(b, loc, q, exponent);
        }
        Value newC = mul(mu, arith::AddFOp::create(b, loc, one, c));
        linalg::YieldOp::create(b, loc, ValueRange{newEta, newBeta, newMu, newC});
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

/// reshape -> collapse to one dimension, then expand to the result shape
/// (both are views once bufferized).
LogicalResult lowerReshape(ReshapeOp op, IRRewriter &rewriter) {
  Location loc = op.getLoc();
  RankedTensorType from = tensorType(op.getInput()), to = op.getType();
  auto flatType = RankedTensorType::get({from.getNumElements()}, from.getElementType());
  auto allDims = [](int64_t rank) {
    SmallVector<ReassociationIndices> groups;
    if (rank > 0)
      groups.push_back(llvm::to_vector(llvm::seq<int64_t>(0, rank)));
    return groups;
  };
  Value flat = op.getInput();
  if (from != flatType)
    flat =
        from.getRank() == 0
            ? tensor::ExpandShapeOp::create(rewriter, loc, flatType, flat, allDims(0)).getResult()
            : tensor::CollapseShapeOp::create(rewriter, loc, flat, allDims(from.getRank()))
                  .getResult();
  Value result = flat;
  if (to != flatType)
    result = to.getRank() == 0
                 ? tensor::CollapseShapeOp::create(rewriter, loc, to, flat, allDims(0)).getResult()
                 : tensor::ExpandShapeOp::create(rewriter, loc, to, flat, allDims(to.getRank()))
                       .getResult();
  rewriter.replaceOp(op, result);
  return success();
}

/// broadcast -> a generic reading index 0 along the broadcast dimensions.
LogicalResult lowerBroadcast(BroadcastOp op, IRRewriter &rewriter) {
  Location loc = op.getLoc();
  ArrayRef<int64_t> from = tensorType(op.getInput()).getShape(), to = op.getType().getShape();
  SmallVector<AffineExpr> reads;
  for (auto [d, sizes] : llvm::enumerate(llvm::zip(from, to)))
    reads.push_back(std::get<0>(sizes) == std::get<1>(sizes)
                        ? rewriter.getAffineDimExpr(d)
                        : rewriter.getAffineConstantExpr(0));
  SmallVector<AffineMap> maps{AffineMap::get(to.size(), 0, reads, op.getContext()),
                              rewriter.getMultiDimIdentityMap(to.size())};
  SmallVector<utils::IteratorType> iterators(to.size(), utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, op.getType(), op.getInput(),
      createEmptyTensor(rewriter, loc, op.getType()), maps, iterators,
      [](OpBuilder &b, Location loc, ValueRange args) { linalg::YieldOp::create(b, loc, args[0]); });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

/// reduce_sum -> a generic summing into the kept dimensions (so that its
/// output is indexed by parallel loops only), then expanded back to the
/// result's size-1 dimensions.
LogicalResult lowerReduceSum(ReduceSumOp op, IRRewriter &rewriter) {
  Location loc = op.getLoc();
  ArrayRef<int64_t> from = tensorType(op.getInput()).getShape(), to = op.getType().getShape();
  SmallVector<utils::IteratorType> iterators;
  SmallVector<AffineExpr> writes;
  SmallVector<int64_t> kept;
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (auto [d, sizes] : llvm::enumerate(llvm::zip(from, to))) {
    bool reduced = std::get<0>(sizes) != std::get<1>(sizes);
    iterators.push_back(reduced ? utils::IteratorType::reduction : utils::IteratorType::parallel);
    pending.push_back(d);
    if (reduced)
      continue;
    writes.push_back(rewriter.getAffineDimExpr(d));
    kept.push_back(std::get<1>(sizes));
    groups.push_back(pending);
    pending.clear();
  }
  if (!groups.empty())
    groups.back().append(pending.begin(), pending.end());
  auto sumType = RankedTensorType::get(kept, op.getType().getElementType());
  SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(from.size()),
                              AffineMap::get(from.size(), 0, writes, op.getContext())};
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{sumType}, op.getInput(), zeros(rewriter, loc, sumType), maps,
      iterators, [](OpBuilder &b, Location loc, ValueRange args) {
        linalg::YieldOp::create(b, loc,
                                arith::AddFOp::create(b, loc, args[0], args[1]).getResult());
      });
  rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, op.getType(), generic.getResult(0),
                                                     groups);
  return success();
}

/// transpose -> linalg.transpose into a fresh tensor.
/// Each element widened (arith.extf) or rounded (arith.truncf).
LogicalResult lowerConvert(ConvertOp op, IRRewriter &rewriter) {
  Location loc = op.getLoc();
  RankedTensorType type = op.getType();
  auto from = llvm::cast<FloatType>(getElementTypeOrSelf(op.getInput().getType()));
  auto to = llvm::cast<FloatType>(type.getElementType());
  AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
  SmallVector<utils::IteratorType> parallel(type.getRank(), utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, type, op.getInput(), createEmptyTensor(rewriter, loc, type),
      {identity, identity}, parallel, [&](OpBuilder &b, Location loc, ValueRange args) {
        Value converted =
            from.getWidth() < to.getWidth()
                ? arith::ExtFOp::create(b, loc, to, args[0]).getResult()
                : arith::TruncFOp::create(b, loc, to, args[0]).getResult();
        linalg::YieldOp::create(b, loc, converted);
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

LogicalResult lowerTranspose(TransposeOp op, IRRewriter &rewriter) {
  Value init = createEmptyTensor(rewriter, op.getLoc(), op.getType());
  auto transpose = linalg::TransposeOp::create(rewriter, op.getLoc(), op.getInput(), init,
                                               op.getPermutation());
  rewriter.replaceOp(op, transpose.getResult());
  return success();
}

/// log_softmax along its axis: the maximum m and s = sum(exp(x - m)) as
/// reductions over the axis, then y = x - m - log(s).
LogicalResult lowerLogSoftmax(LogSoftmaxOp op, IRRewriter &rewriter) {
  Location loc = op.getLoc();
  RankedTensorType type = op.getType();
  int64_t rank = type.getRank(), axis = op.getAxis();
  Type element = type.getElementType();
  SmallVector<int64_t> reducedShape;
  SmallVector<AffineExpr> keptDims;
  SmallVector<utils::IteratorType> reduceAxis, allParallel(rank, utils::IteratorType::parallel);
  for (int64_t d = 0; d < rank; ++d) {
    reduceAxis.push_back(d == axis ? utils::IteratorType::reduction
                                   : utils::IteratorType::parallel);
    if (d != axis) {
      reducedShape.push_back(type.getDimSize(d));
      keptDims.push_back(rewriter.getAffineDimExpr(d));
    }
  }
  auto reducedType = RankedTensorType::get(reducedShape, element);
  AffineMap all = rewriter.getMultiDimIdentityMap(rank);
  AffineMap dropAxis = AffineMap::get(rank, 0, keptDims, op.getContext());
  Value x = op.getInput();

  Value lowest = scalarConstant(rewriter, loc, element, -std::numeric_limits<double>::infinity());
  Value maxInit = linalg::FillOp::create(rewriter, loc, ValueRange{lowest},
                                         ValueRange{createEmptyTensor(rewriter, loc, reducedType)})
                      .getResult(0);
  Value max = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{reducedType}, x, maxInit,
                  ArrayRef<AffineMap>{all, dropAxis}, reduceAxis,
                  [](OpBuilder &b, Location loc, ValueRange args) {
                    linalg::YieldOp::create(
                        b, loc, arith::MaximumFOp::create(b, loc, args[0], args[1]).getResult());
                  })
                  .getResult(0);
  Value sum = linalg::GenericOp::create(
                  rewriter, loc, TypeRange{reducedType}, ValueRange{x, max},
                  zeros(rewriter, loc, reducedType),
                  ArrayRef<AffineMap>{all, dropAxis, dropAxis}, reduceAxis,
                  [](OpBuilder &b, Location loc, ValueRange args) {
                    Value shifted = arith::SubFOp::create(b, loc, args[0], args[1]);
                    Value term = math::ExpOp::create(b, loc, shifted);
                    linalg::YieldOp::create(
                        b, loc, arith::AddFOp::create(b, loc, term, args[2]).getResult());
                  })
                  .getResult(0);
  auto result = linalg::GenericOp::create(
      rewriter, loc, TypeRange{type}, ValueRange{x, max, sum},
      createEmptyTensor(rewriter, loc, type),
      ArrayRef<AffineMap>{all, dropAxis, dropAxis, all}, allParallel,
      [](OpBuilder &b, Location loc, ValueRange args) {
        Value shifted = arith::SubFOp::create(b, loc, args[0], args[1]);
        Value logSum = math::LogOp::create(b, loc, args[2]);
        linalg::YieldOp::create(b, loc,
                                arith::SubFOp::create(b, loc, shifted, logSum).getResult());
      });
  rewriter.replaceOp(op, result.getResults());
  return success();
}

/// The element of `input` at the generic's own position, shifted along `axis`
/// by `shift` (an index value): tensor.extract, so that the position may
/// leave the loop's range.
Value extractShifted(OpBuilder &b, Location loc, Value input, int64_t axis, Value shifted,
                     int64_t rank) {
  SmallVector<Value> at;
  for (int64_t d = 0; d < rank; ++d)
    at.push_back(d == axis ? shifted : linalg::IndexOp::create(b, loc, d).getResult());
  return tensor::ExtractOp::create(b, loc, input, at);
}

/// A generic over `type` with no inputs whose body `element` computes each
/// element from its position (it reads its tensors with tensor.extract).
Value positionalGeneric(IRRewriter &rewriter, Location loc, RankedTensorType type,
                        function_ref<Value(OpBuilder &, Location)> element) {
  int64_t rank = type.getRank();
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             rewriter, loc, TypeRange{type}, ValueRange{},
             ValueRange{createEmptyTensor(rewriter, loc, type)},
             ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)}, iterators,
             [&](OpBuilder &b, Location loc, ValueRange) {
               linalg::YieldOp::create(b, loc, element(b, loc));
             })
      .getResult(0);
}

/// slice -> each element read from the input at offset along the axis.
LogicalResult lowerSlice(SliceOp op, IRRewriter &rewriter) {
  RankedTensorType type = op.getType();
  int64_t axis = op.getAxis();
  rewriter.replaceOp(op, positionalGeneric(rewriter, op.getLoc(), type,
                                           [&](OpBuilder &b, Location loc) {
                                             Value position = linalg::IndexOp::create(b, loc, axis);
                                             Value shifted = arith::AddIOp::create(
                                                 b, loc, position,
                                                 arith::ConstantIndexOp::create(b, loc, op.getOffset()));
                                             return extractShifted(b, loc, op.getInput(), axis,
                                                                   shifted, type.getRank());
                                           }));
  return success();
}

/// concat -> each element reads every operand at its position along the axis,
/// clamped into the operand, and keeps the one whose range holds the position.
LogicalResult lowerConcat(ConcatOp op, IRRewriter &rewriter) {
  RankedTensorType type = op.getType();
  int64_t rank = type.getRank(), axis = op.getAxis();
  auto element = [&](OpBuilder &b, Location loc) {
    Value position = linalg::IndexOp::create(b, loc, axis), chosen;
    auto index = [&](int64_t i) { return arith::ConstantIndexOp::create(b, loc, i); };
    int64_t end = type.getDimSize(axis);
    for (Value input : llvm::reverse(op.getInputs())) {
      int64_t size = llvm::cast<RankedTensorType>(input.getType()).getDimSize(axis);
      int64_t begin = end - size;
      Value shifted = arith::SubIOp::create(b, loc, position, index(begin));
      Value atLeastZero = arith::MaxSIOp::create(b, loc, shifted, index(0));
      Value clamped = arith::MinSIOp::create(b, loc, atLeastZero, index(size - 1));
      Value value = extractShifted(b, loc, input, axis, clamped, rank);
      if (chosen) {
        Value inside =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, position, index(end));
        value = arith::SelectOp::create(b, loc, inside, value, chosen);
      }
      chosen = value;
      end = begin;
    }
    return chosen;
  };
  rewriter.replaceOp(op, positionalGeneric(rewriter, op.getLoc(), type, element));
  return success();
}

/// murmur3's 32-bit finalizer: every input bit affects every output bit.
Value mix32(OpBuilder &b, Location loc, Value h) {
  auto constant = [&](uint32_t c) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), int64_t(c)).getResult();
  };
  auto xorShift = [&](Value v, uint32_t shift) {
    return arith::XOrIOp::create(b, loc, v, arith::ShRUIOp::create(b, loc, v, constant(shift)))
        .getResult();
  };
  h = xorShift(h, 16);
  h = arith::MulIOp::create(b, loc, h, constant(0x85ebca6b));
  h = xorShift(h, 13);
  h = arith::MulIOp::create(b, loc, h, constant(0xc2b2ae35));
  return xorShift(h, 16);
}

/// dropout -> a generic that hashes (key, salt, row-major position) to a
/// uniform u in [0, 1) and keeps the element, scaled, where u >= ratio.
LogicalResult lowerDropout(DropoutOp op, IRRewriter &rewriter) {
  Location loc = op.getLoc();
  RankedTensorType type = op.getType();
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps{rewriter.getMultiDimIdentityMap(rank),
                              AffineMap::get(rank, 0, {}, op.getContext()),
                              rewriter.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  double ratio = op.getRatio().convertToDouble();
  uint32_t salt = uint32_t(op.getSalt()) * 0x9e3779b9u;
  auto generic = linalg::GenericOp::create(
      rewriter, loc, type, ValueRange{op.getInput(), op.getKey()},
      createEmptyTensor(rewriter, loc, type), maps, iterators,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Type i32 = b.getI32Type(), element = args[0].getType();
        Value position = linalg::IndexOp::create(b, loc, 0);
        for (int64_t d = 1; d < rank; ++d) {
          Value size = arith::ConstantIndexOp::create(b, loc, type.getDimSize(d));
          Value scaled = arith::MulIOp::create(b, loc, position, size);
          position = arith::AddIOp::create(b, loc, scaled, linalg::IndexOp::create(b, loc, d));
        }
        Value index = arith::IndexCastOp::create(b, loc, i32, position);
        Value key = arith::FPToUIOp::create(b, loc, i32, args[1]);
        Value seed = mix32(b, loc, arith::XOrIOp::create(
                                       b, loc, key,
                                       arith::ConstantIntOp::create(b, loc, i32, int64_t(salt))));
        Value bits = mix32(b, loc, arith::AddIOp::create(b, loc, index, seed));
        Value top24 = arith::ShRUIOp::create(b, loc, bits,
                                             arith::ConstantIntOp::create(b, loc, i32, 8));
        Value top24AsFloat = arith::UIToFPOp::create(b, loc, element, top24);
        Value uniform = arith::MulFOp::create(
            b, loc, top24AsFloat,
            arith::ConstantOp::create(b, loc, b.getFloatAttr(element, 1.0 / 16777216.0)));
        Value keep = arith::CmpFOp::create(
            b, loc, arith::CmpFPredicate::OGE, uniform,
            arith::ConstantOp::create(b, loc, b.getFloatAttr(element, ratio)));
        Value scaled = arith::MulFOp::create(
            b, loc, args[0],
            arith::ConstantOp::create(b, loc, b.getFloatAttr(element, 1.0 / (1.0 - ratio))));
        Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(element, 0.0));
        linalg::YieldOp::create(b, loc,
                                arith::SelectOp::create(b, loc, keep, scaled, zero).getResult());
      });
  rewriter.replaceOp(op, generic.getResults());
  return success();
}

LogicalResult lowerConstant(ConstantOp op, IRRewriter &rewriter) {
  rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, llvm::cast<TypedAttr>(op.getValue()));
  return success();
}

struct LowerToLinalg : marthe::impl::LowerToLinalgBase<LowerToLinalg> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    for (Block &block : getOperation().getBody())
      for (SmallVector<DotOp> &dots : groupDots(block)) {
        rewriter.setInsertionPoint(dots.front());
        if (failed(lowerDots(dots, rewriter)))
          return signalPassFailure();
      }
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (llvm::isa<FusedOp, SumToOp, ScheduleUpdateOp, ReshapeOp, TransposeOp, BroadcastOp,
                    ReduceSumOp, DropoutOp, LogSoftmaxOp, SliceOp, ConcatOp, ConvertOp>(op) ||
          (llvm::isa<ConstantOp>(op) && !op->getParentOfType<FusedOp>()))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      LogicalResult lowered =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case<FusedOp>([&](auto o) { return lowerFused(o, rewriter); })
              .Case<SumToOp>([&](auto o) { return lowerSumTo(o, rewriter); })
              .Case<ScheduleUpdateOp>([&](auto o) { return lowerScheduleUpdate(o, rewriter); })
              .Case<ReshapeOp>([&](auto o) { return lowerReshape(o, rewriter); })
              .Case<TransposeOp>([&](auto o) { return lowerTranspose(o, rewriter); })
              .Case<BroadcastOp>([&](auto o) { return lowerBroadcast(o, rewriter); })
              .Case<ReduceSumOp>([&](auto o) { return lowerReduceSum(o, rewriter); })
              .Case<DropoutOp>([&](auto o) { return lowerDropout(o, rewriter); })
              .Case<LogSoftmaxOp>([&](auto o) { return lowerLogSoftmax(o, rewriter); })
              .Case<SliceOp>([&](auto o) { return lowerSlice(o, rewriter); })
              .Case<ConcatOp>([&](auto o) { return lowerConcat(o, rewriter); })
              .Case<ConvertOp>([&](auto o) { return lowerConvert(o, rewriter); })
              .Case<ConstantOp>([&](auto o) { return lowerConstant(o, rewriter); });
      if (failed(lowered))
        return signalPassFailure();
    }
  }
};

} // namespace
