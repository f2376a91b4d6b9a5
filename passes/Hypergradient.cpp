#include "passes/FunctionUtils.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Sequence.h"

#include <cfloat>

namespace marthe {
#define GEN_PASS_DEF_HYPERGRADIENT
#include "passes/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

/// Names of the schedule scalars, in @marthe_step's argument order: float64
/// whatever the model's precision. The losses it returns are the model's.
constexpr StringLiteral kScheduleInputs[] = {"eta", "beta", "mu", "c", "hg_prev", "alpha"};
constexpr StringLiteral kScheduleOutputs[] = {"eta", "beta", "mu", "c", "hg", "g1"};
constexpr StringLiteral kLossOutputs[] = {"loss", "val_loss"};

struct HypergradientPass : marthe::impl::HypergradientBase<HypergradientPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<func::FuncOp> step = lookupFunction(module, "train_step", "marthe-hypergradient");
    FailureOr<func::FuncOp> loss = lookupFunction(module, "loss", "marthe-hypergradient");
    if (failed(step) || failed(loss) || failed(checkRoles(*step)))
      return signalPassFailure();
    buildMartheStep(*step, *loss);
  }

  LogicalResult checkRoles(func::FuncOp step) {
    for (StringRef role : {"input", "labels", "eta"})
      if (findArg(step, role) < 0)
        return step.emitError("@train_step needs an argument with role \"") << role << "\"";
    if (argsWithPrefix(step, "param:").empty())
      return step.emitError("@train_step has no parameters (roles \"param:<name>\")");
    // Results: the state in argument order, then the loss.
    RoleList expected = argRoles(step, stateArgs(step));
    expected.push_back({step.getArgumentTypes()[findArg(step, "eta")], "loss"});
    if (resultRoles(step) != expected)
      return step.emitError("@train_step must return its state, in argument order, then "
                            "the scalar \"loss\"");
    return success();
  }

  /// @marthe_step's signature: state, Z, both batches and the schedule scalars
  /// in; state', Z', the new schedule scalars and what is logged out.
  func::FuncOp createMartheStep(OpBuilder &builder, func::FuncOp step) {
    SmallVector<int64_t> state = stateArgs(step);
    Type input = step.getArgumentTypes()[findArg(step, "input")];
    Type labels = step.getArgumentTypes()[findArg(step, "labels")];
    Type scalar = step.getArgumentTypes()[findArg(step, "eta")];
    RoleList args = argRoles(step, state);
    args.append(argRoles(step, state, "tangent:"));
    RoleList results = args;
    args.append({{input, "input"}, {labels, "labels"}, {input, "val_input"},
                 {labels, "val_labels"}});
    Type wide = RankedTensorType::get({}, builder.getF64Type());
    for (StringRef name : kScheduleInputs)
      args.push_back({wide, name.str()});
    if (findArg(step, "dropout_key") >= 0)
      args.push_back({scalar, "dropout_key"});
    for (StringRef name : kScheduleOutputs)
      results.push_back({wide, name.str()});
    for (StringRef name : kLossOutputs)
      results.push_back({scalar, name.str()});
    return createFunction(builder, getOperation(), "marthe_step", args, results);
  }

  void buildMartheStep(func::FuncOp step, func::FuncOp loss) {
    OpBuilder builder(&getContext());
    func::FuncOp fn = createMartheStep(builder, step);
    Location loc = step.getLoc();
    SmallVector<int64_t> state = stateArgs(step);
    size_t n = state.size(), numParams = argsWithPrefix(step, "param:").size();
    ValueRange blockArgs = fn.getArguments();
    ValueRange stateValues = blockArgs.take_front(n), tangentValues = blockArgs.slice(n, n);
    Value x = blockArgs[2 * n], y = blockArgs[2 * n + 1];
    Value xv = blockArgs[2 * n + 2], yv = blockArgs[2 * n + 3];
    ValueRange schedule = blockArgs.drop_front(2 * n + 4);
    // The step computes in the model's precision, the schedule in float64.
    Type modelScalar = step.getArgumentTypes()[findArg(step, "eta")];
    Type wide = schedule[0].getType();
    auto convert = [&](Value v, Type type) {
      return v.getType() == type ? v : ConvertOp::create(builder, loc, type, v).getResult();
    };
    Value eta = convert(schedule[0], modelScalar);

    // The step's arguments (state, batch, eta) in its own order.
    int64_t etaIndex = findArg(step, "eta");
    SmallVector<Value> stepArgs(step.getNumArguments());
    for (auto [k, i] : llvm::enumerate(state))
      stepArgs[i] = stateValues[k];
    stepArgs[findArg(step, "input")] = x;
    stepArgs[findArg(step, "labels")] = y;
    stepArgs[etaIndex] = eta;
    int64_t keyIndex = findArg(step, "dropout_key");
    if (keyIndex >= 0)
      stepArgs[keyIndex] = blockArgs.back();

    // Z' = mu A Z + B along (mu Z, 1); B alone along (0, 1). The step returns
    // state'..., loss, then their tangents.
    Value one = ConstantOp::createSplat(builder, loc, modelScalar, 1.0);
    SmallVector<Value> etaOnly = jvp(builder, step, stepArgs, {etaIndex}, {one});
    SmallVector<Value> full = etaOnly;
    if (muMode != MuMode::Zero) {
      SmallVector<int64_t> wrtAll(state);
      wrtAll.push_back(etaIndex);
      SmallVector<Value> directions;
      llvm::DenseMap<Type, Value> muAs; // Adam's bias corrections are float64
      for (Value z : tangentValues) {
        Type element = llvm::cast<RankedTensorType>(z.getType()).getElementType();
        Value &muLike = muAs[element];
        if (!muLike)
          muLike = convert(schedule[2], RankedTensorType::get({}, element));
        directions.push_back(MulOp::create(builder, loc, muLike, z));
      }
      directions.push_back(one);
      full = jvp(builder, step, stepArgs, wrtAll, directions);
    }
    ValueRange newState = ValueRange(full).take_front(n);
    ValueRange newTangents = ValueRange(full).slice(n + 1, n);
    ValueRange etaTangents = ValueRange(etaOnly).slice(n + 1, n);

    size_t numStats = argsWithPrefix(step, "stat:").size();
    SmallVector<Value> key;
    if (keyIndex >= 0)
      key.push_back(blockArgs.back());
    // The evaluated parameters and their tangents along Z' and B.
    SmallVector<Value> params(newState.take_front(numParams));
    SmallVector<Value> zParams(newTangents.take_front(numParams));
    SmallVector<Value> bParams(etaTangents.take_front(numParams));
    if (auto point = getOperation().lookupSymbol<func::FuncOp>("evaluation_point")) {
      ValueRange optimizerState = newState.take_front(point.getNumArguments());
      SmallVector<Value> xz = jvp(builder, point, optimizerState,
                                 newTangents.take_front(point.getNumArguments()));
      params.assign(xz.begin(), xz.begin() + numParams);
      zParams.assign(xz.begin() + numParams, xz.end());
      if (muMode != MuMode::Zero) {
        SmallVector<Value> xb = jvp(builder, point, optimizerState,
                                   etaTangents.take_front(point.getNumArguments()));
        bParams.assign(xb.begin() + numParams, xb.end());
      }
    }
    auto validationLoss = getOperation().lookupSymbol<func::FuncOp>("validation_loss");
    GradOp validation = validationGradient(builder, validationLoss ? validationLoss : loss,
                                           params, newState.take_back(numStats), xv, yv, key);
    ValueRange e = validation.getResults().drop_front();
    Value hg = innerProduct(builder, zParams, e);
    Value g1 = muMode == MuMode::Zero ? hg : innerProduct(builder, bParams, e);
    hg = convert(hg, wide);
    g1 = muMode == MuMode::Zero ? hg : convert(g1, wide);
    if (relative) {
      Value scale = relativeScale(builder, schedule[0], zParams, e);
      hg = MulOp::create(builder, loc, hg, scale);
      g1 = muMode == MuMode::Zero ? hg : MulOp::create(builder, loc, g1, scale).getResult();
    }
    SmallVector<Type> scalars(4, wide);
    auto update = ScheduleUpdateOp::create(builder, loc, scalars, schedule[0], schedule[1],
                                           schedule[2], schedule[3], schedule[4], hg, g1,
                                           schedule[5], muMode == MuMode::Adaptive);

    SmallVector<Value> returned(newState);
    returned.append(newTangents.begin(), newTangents.end());
    returned.append(update.getResults().begin(), update.getResults().end());
    returned.append({hg, g1, full[n], validation.getResult(0)});
    func::ReturnOp::create(builder, loc, returned);
  }

  /// The validation loss E and its gradient e at the new parameters (the
  /// validation batch's own statistics: the running ones are not read).
  GradOp validationGradient(OpBuilder &builder, func::FuncOp loss, ValueRange params,
                            ValueRange stats, Value input, Value labels, ValueRange key) {
    SmallVector<Value> args(params);
    args.append(stats.begin(), stats.end());
    args.append({input, labels});
    args.append(key.begin(), key.end());
    SmallVector<Type> types{loss.getResultTypes().front()};
    types.append(params.getTypes().begin(), params.getTypes().end());
    auto wrt = llvm::to_vector(llvm::seq<int64_t>(0, params.size()));
    return GradOp::create(builder, loss.getLoc(), types, loss.getSymName(), args, wrt);
  }

  /// eta / (|z| |e|) in float64 (eta / DBL_MIN's neighbourhood when a norm is 0).
  Value relativeScale(OpBuilder &builder, Value eta, ValueRange z, ValueRange e) {
    Location loc = eta.getLoc();
    Type wide = eta.getType();
    auto norm = [&](ValueRange v) {
      Value squared = innerProduct(builder, v, v);
      Value widened = squared.getType() == wide
                          ? squared
                          : ConvertOp::create(builder, loc, wide, squared).getResult();
      return SqrtOp::create(builder, loc, widened).getResult();
    };
    Value zNorm = norm(z);
    Value eNorm = norm(e);
    Value product = MulOp::create(builder, loc, zNorm, eNorm);
    Value tiny = ConstantOp::createSplat(builder, loc, wide, DBL_MIN);
    Value larger = SubOp::create(builder, loc, product, tiny);
    Value picked = ReluGradOp::create(builder, loc, larger, product);
    Value floor = SubOp::create(builder, loc, tiny, ReluGradOp::create(builder, loc, larger, tiny));
    Value denominator = AddOp::create(builder, loc, picked, floor); // max(product, tiny)
    return DivOp::create(builder, loc, eta, denominator);
  }

  /// The results of `fn` at `args` followed by their tangents along
  /// `directions` (one per argument).
  SmallVector<Value> jvp(OpBuilder &builder, func::FuncOp fn, ValueRange args,
                         ValueRange directions) {
    auto wrt = llvm::to_vector(llvm::seq<int64_t>(0, args.size()));
    return jvp(builder, fn, args, wrt, directions);
  }

  /// The step's results followed by the tangents of its float results.
  SmallVector<Value> jvp(OpBuilder &builder, func::FuncOp step, ValueRange args,
                         ArrayRef<int64_t> wrt, ValueRange directions) {
    SmallVector<Type> types(step.getResultTypes());
    types.append(SmallVector<Type>(step.getResultTypes()));
    auto op = JvpOp::create(builder, step.getLoc(), types, step.getSymName(), args,
                            directions, wrt);
    return SmallVector<Value>(op.getResults());
  }

  Value innerProduct(OpBuilder &builder, ValueRange lhs, ValueRange rhs) {
    Value sum;
    for (auto [a, b] : llvm::zip(lhs, rhs)) {
      Value term = DotOp::create(builder, a.getLoc(), a, b);
      sum = sum ? AddOp::create(builder, a.getLoc(), sum, term).getResult() : term;
    }
    return sum;
  }
};

} // namespace
