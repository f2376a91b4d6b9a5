#include "passes/FunctionUtils.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace marthe {
#define GEN_PASS_DEF_HYPERGRADIENT
#include "passes/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

/// Names of the schedule scalars, in @marthe_step's argument order.
constexpr StringLiteral kScheduleInputs[] = {"eta", "beta", "mu", "c", "hg_prev", "alpha"};
constexpr StringLiteral kScheduleOutputs[] = {"eta", "beta", "mu", "c", "hg", "g1",
                                              "loss", "val_loss"};

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
    return success();
  }

  void buildMartheStep(func::FuncOp step, func::FuncOp loss) {
    SmallVector<int64_t> state = stateArgs(step);
    int64_t numParams = argsWithPrefix(step, "param:").size();
    int64_t input = findArg(step, "input"), labels = findArg(step, "labels");
    int64_t etaIndex = findArg(step, "eta");
    Type scalar = step.getArgumentTypes()[etaIndex];

    RoleList args = argRoles(step, state);
    args.append(argRoles(step, state, "tangent:"));
    RoleList results = args;
    args.push_back({step.getArgumentTypes()[input], "input"});
    args.push_back({step.getArgumentTypes()[labels], "labels"});
    args.push_back({step.getArgumentTypes()[input], "val_input"});
    args.push_back({step.getArgumentTypes()[labels], "val_labels"});
    for (StringRef name : kScheduleInputs)
      args.push_back({scalar, name.str()});
    for (StringRef name : kScheduleOutputs)
      results.push_back({scalar, name.str()});

    OpBuilder builder(&getContext());
    func::FuncOp fn = createFunction(builder, getOperation(), "marthe_step", args, results);
    Location loc = step.getLoc();
    ValueRange blockArgs = fn.getArguments();
    size_t n = state.size();
    ValueRange stateValues = blockArgs.take_front(n);
    ValueRange tangentValues = blockArgs.slice(n, n);
    Value x = blockArgs[2 * n], y = blockArgs[2 * n + 1];
    Value xv = blockArgs[2 * n + 2], yv = blockArgs[2 * n + 3];
    ValueRange schedule = blockArgs.drop_front(2 * n + 4);
    Value eta = schedule[0], beta = schedule[1], mu = schedule[2], c = schedule[3],
          hgPrev = schedule[4], alpha = schedule[5];

    // The step's arguments: state, batch and eta, in its own order.
    SmallVector<Value> stepArgs(step.getNumArguments());
    for (auto [k, i] : llvm::enumerate(state))
      stepArgs[i] = stateValues[k];
    stepArgs[input] = x;
    stepArgs[labels] = y;
    stepArgs[etaIndex] = eta;

    Value one = ConstantOp::createSplat(builder, loc, scalar, 1.0);
    SmallVector<int64_t> wrtAll(state);
    wrtAll.push_back(etaIndex);
    SmallVector<Value> directions;
    for (Value z : tangentValues)
      directions.push_back(MulOp::create(builder, loc, mu, z));
    directions.push_back(one);
    SmallVector<Value> full = jvp(builder, step, stepArgs, wrtAll, directions);
    SmallVector<Value> etaOnly = jvp(builder, step, stepArgs, {etaIndex}, {one});

    // step results: state'..., loss; then their tangents.
    ValueRange newState = ValueRange(full).take_front(n);
    Value trainLoss = full[n];
    ValueRange newTangents = ValueRange(full).slice(n + 1, n);
    ValueRange etaTangents = ValueRange(etaOnly).slice(n + 1, n);

    SmallVector<Value> lossArgs(newState.take_front(numParams));
    lossArgs.append({xv, yv});
    SmallVector<Type> gradTypes{loss.getResultTypes().front()};
    for (Value w : newState.take_front(numParams))
      gradTypes.push_back(w.getType());
    SmallVector<int64_t> paramIndices;
    for (int64_t i = 0; i < numParams; ++i)
      paramIndices.push_back(i);
    auto validation = GradOp::create(builder, loc, gradTypes, loss.getSymName(), lossArgs,
                                     paramIndices);
    ValueRange valGrad = validation.getResults().drop_front();

    Value hg = innerProduct(builder, newTangents.take_front(numParams), valGrad);
    Value g1 = innerProduct(builder, etaTangents.take_front(numParams), valGrad);
    auto update = ScheduleUpdateOp::create(
        builder, loc, TypeRange{scalar, scalar, scalar, scalar}, eta, beta, mu, c, hgPrev,
        hg, g1, alpha, adaptiveMu);

    SmallVector<Value> returned(newState);
    returned.append(newTangents.begin(), newTangents.end());
    returned.append(update.getResults().begin(), update.getResults().end());
    returned.append({hg, g1, trainLoss, validation.getResult(0)});
    func::ReturnOp::create(builder, loc, returned);
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
