#include "passes/FunctionUtils.h"
#include "passes/OptimizerRules.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace marthe {
#define GEN_PASS_DEF_DERIVETRAININGSTEP
#include "passes/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

SmallVector<int64_t> range(int64_t begin, int64_t end) {
  SmallVector<int64_t> indices;
  for (int64_t i = begin; i < end; ++i)
    indices.push_back(i);
  return indices;
}

Type scalarType(Type like) {
  return RankedTensorType::get({}, llvm::cast<RankedTensorType>(like).getElementType());
}

struct DeriveTrainingStepPass
    : marthe::impl::DeriveTrainingStepBase<DeriveTrainingStepPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<func::FuncOp> forward =
        lookupFunction(module, "forward", "marthe-derive-training-step");
    if (failed(forward) || failed(checkForward(*forward)) || failed(checkOptions()))
      return signalPassFailure();
    OpBuilder builder(module.getContext());
    func::FuncOp loss = buildLoss(builder, *forward);
    buildTrainStep(builder, loss);
    buildInitialState(builder, loss);
    buildEvaluationPoint(builder, loss);
    buildEvaluationStatistics(builder, loss);
    if (exportDerivatives)
      buildExportedDerivatives(builder, loss);
  }

  LogicalResult checkForward(func::FuncOp forward) {
    params = argsWithPrefix(forward, "param:");
    stats = argsWithPrefix(forward, "stat:");
    inputIndex = findArg(forward, "input");
    if (inputIndex != forward.getNumArguments() - 1 ||
        params.size() + stats.size() + 1 != forward.getNumArguments() ||
        (!params.empty() && params.back() != int64_t(params.size()) - 1))
      return forward.emitError("@forward must take the parameters, the running statistics "
                               "and one argument with role \"input\", in that order");
    auto logits = forward.getNumResults() == 1
                      ? llvm::dyn_cast<RankedTensorType>(forward.getResultTypes().front())
                      : RankedTensorType();
    if (!logits || logits.getRank() != 2)
      return forward.emitError("@forward must return 2-D logits [batch, classes]");
    forwardTrain = getOperation().lookupSymbol<func::FuncOp>("forward_train");
    if (!forwardTrain)
      return success();
    keyed = findArg(forwardTrain, "dropout_key") == forward.getNumArguments();
    if (forwardTrain.getArgumentTypes().take_front(forward.getNumArguments()) !=
            forward.getArgumentTypes() ||
        forwardTrain.getNumArguments() != forward.getNumArguments() + keyed ||
        forwardTrain.getNumResults() != 1 + stats.size())
      return forwardTrain.emitError("@forward_train must take @forward's arguments (then "
                                    "\"dropout_key\" if it drops out) and return the logits "
                                    "and the updated statistics");
    return success();
  }

  LogicalResult checkOptions() {
    if (weightDecay < 0)
      return getOperation().emitError("weight-decay must be >= 0");
    const OptimizerKind &kind = optimizerKind(optimizer);
    llvm::Expected<llvm::StringMap<double>> given = parseHyperparameters(kind, hyperparameters);
    if (!given)
      return getOperation().emitError(llvm::toString(given.takeError()));
    llvm::StringMap<double> values = resolveHyperparameters(kind, *given);
    rule = makeOptimizerRule(optimizer, values);
    slots = rule->slots();
    return success();
  }

  /// @loss(params..., stats..., input, labels) = mean cross-entropy of the
  /// training form of the model (@forward_train when there is one: batch
  /// statistics; the running ones are then not read).
  func::FuncOp buildLoss(OpBuilder &builder, func::FuncOp forward) {
    RankedTensorType logitsType =
        llvm::cast<RankedTensorType>(forward.getResultTypes().front());
    Type labelsType =
        RankedTensorType::get({logitsType.getDimSize(0)}, builder.getI32Type());
    RoleList args = argRoles(forward, range(0, forward.getNumArguments()));
    args.push_back({labelsType, "labels"});
    if (keyed)
      args.append(argRoles(forwardTrain, {forward.getNumArguments()}));
    func::FuncOp loss = createFunction(builder, getOperation(), "loss", args,
                                       {{scalarType(logitsType), "loss"}});
    Location loc = forward.getLoc();
    ValueRange blockArgs = loss.getArguments();
    Value labels = blockArgs[forward.getNumArguments()];
    SmallVector<Value> modelArgs(blockArgs.take_front(forward.getNumArguments()));
    if (keyed)
      modelArgs.push_back(blockArgs.back());
    Value logits = cloneBody(builder, forwardTrain ? forwardTrain : forward, modelArgs).front();
    Value value = SoftmaxXentOp::create(builder, loc, scalarType(logitsType), logits, labels);
    func::ReturnOp::create(builder, loc, value);
    if (keyed)
      buildValidationLoss(loss);
    return loss;
  }

  /// @validation_loss: @loss without dropout (the validation loss of the
  /// hypergradient measures the model, not one of its thinned versions); it
  /// still normalizes with the batch's statistics.
  void buildValidationLoss(func::FuncOp loss) {
    func::FuncOp validation = loss.clone();
    validation.setSymName("validation_loss");
    validation.setPrivate();
    validation.walk([](DropoutOp dropout) {
      dropout.replaceAllUsesWith(dropout.getInput());
      dropout.erase();
    });
    getOperation().push_back(validation);
  }

  /// The value and gradient of @loss in the parameters at `args`.
  SmallVector<Value> valueAndGradient(OpBuilder &builder, func::FuncOp loss,
                                      ValueRange args) {
    SmallVector<Type> types{loss.getResultTypes().front()};
    for (int64_t i : range(0, params.size()))
      types.push_back(args[i].getType());
    auto grad = GradOp::create(builder, loss.getLoc(), types, loss.getSymName(), args,
                               range(0, params.size()));
    return SmallVector<Value>(grad.getResults());
  }

  /// The state: the parameters, the optimizer's slots, then the running
  /// statistics (state that the step updates but does not train).
  RoleList stateRoles(func::FuncOp loss) {
    RoleList roles = argRoles(loss, range(0, params.size()));
    roles.append(slotRoles(loss));
    roles.append(argRoles(loss, stats));
    return roles;
  }

  /// The optimizer's slots: "opt:<slot>:<parameter role>" per parameter, or
  /// one float64 "opt:<slot>".
  RoleList slotRoles(func::FuncOp loss) {
    SmallVector<int64_t> all = range(0, params.size());
    Type wide = RankedTensorType::get({}, Float64Type::get(loss.getContext()));
    RoleList roles;
    for (const StateSlot &slot : slots) {
      std::string prefix = "opt:" + slot.name;
      if (slot.shape == StateSlot::Shape::Scalar) {
        roles.push_back({wide, prefix});
        continue;
      }
      RoleList perParameter = argRoles(loss, all, prefix + ":");
      if (slot.shape == StateSlot::Shape::PerParameterScalar)
        for (auto &role : perParameter)
          role.first = wide;
      roles.append(perParameter);
    }
    return roles;
  }

  /// The rule's inputs from the state values (parameters, then slots).
  StepInputs stepInputs(ValueRange state) {
    size_t n = params.size(), at = n;
    StepInputs in;
    in.params = state.take_front(n);
    for (const StateSlot &slot : slots) {
      size_t count = slot.shape == StateSlot::Shape::Scalar ? 1 : n;
      in.slots.emplace_back(state.slice(at, count).begin(), state.slice(at, count).end());
      at += count;
    }
    return in;
  }

  /// @train_step(state..., input, labels, eta[, dropout_key]) -> (state'..., loss).
  void buildTrainStep(OpBuilder &builder, func::FuncOp loss) {
    RoleList state = stateRoles(loss);
    RoleList args = state, results = state;
    args.append(argRoles(loss, {inputIndex, inputIndex + 1}));
    Type scalar = loss.getResultTypes().front();
    args.push_back({scalar, "eta"});
    if (keyed)
      args.push_back({scalar, "dropout_key"});
    results.push_back({scalar, "loss"});
    func::FuncOp step = createFunction(builder, getOperation(), "train_step", args, results);

    ValueRange blockArgs = step.getArguments();
    ValueRange stateValues = blockArgs.take_front(state.size());
    ValueRange statValues = stateValues.take_back(stats.size());
    SmallVector<Value> lossArgs(blockArgs.take_front(params.size()));
    lossArgs.append(statValues.begin(), statValues.end());
    lossArgs.append({blockArgs[state.size()], blockArgs[state.size() + 1]});
    if (keyed)
      lossArgs.push_back(blockArgs.back());
    SmallVector<Value> valueGrad = valueAndGradient(builder, loss, lossArgs);
    SmallVector<Value> grads;
    for (size_t i = 0; i < params.size(); ++i)
      grads.push_back(regularizedGradient(builder, stateValues[i], valueGrad[i + 1]));

    StepInputs in = stepInputs(stateValues);
    in.grads = grads;
    in.eta = blockArgs[state.size() + 2];
    UpdateBuilder update(builder, step.getLoc());
    SmallVector<Value> returned = rule->update(update, in);
    if (forwardTrain) {
      // The training batch's statistics; after inlining, CSE shares the
      // forward pass with the gradient's.
      SmallVector<Value> modelArgs(ValueRange(lossArgs).drop_back(1 + keyed));
      if (keyed)
        modelArgs.push_back(lossArgs.back());
      auto call = func::CallOp::create(builder, step.getLoc(), forwardTrain, modelArgs);
      returned.append(call.getResults().begin() + 1, call.getResults().end());
    } else {
      // Statistics of nodes that only normalize (training_mode = 0) stay.
      returned.append(statValues.begin(), statValues.end());
    }
    returned.push_back(valueGrad.front());
    func::ReturnOp::create(builder, step.getLoc(), returned);
  }

  /// g + lambda * w
  Value regularizedGradient(OpBuilder &builder, Value w, Value g) {
    if (weightDecay == 0.0)
      return g;
    UpdateBuilder b(builder, w.getLoc());
    return b.add(g, b.scale(weightDecay, w));
  }

  /// @init_optimizer(params...) -> (slots...): the optimizer's state before
  /// the first step, for optimizers whose state does not start at zero
  /// (copies of the parameters, d0, ...). The trainer calls it once.
  void buildInitialState(OpBuilder &builder, func::FuncOp loss) {
    if (llvm::all_of(slots, [](const StateSlot &s) { return s.start == StateSlot::Start::Zero; }))
      return;
    RoleList args = argRoles(loss, range(0, params.size()));
    RoleList results = slotRoles(loss);
    func::FuncOp init = createFunction(builder, getOperation(), "init_optimizer", args, results);
    SmallVector<Value> values;
    auto result = results.begin();
    for (const StateSlot &slot : slots) {
      size_t count = slot.shape == StateSlot::Shape::Scalar ? 1 : params.size();
      for (size_t i = 0; i < count; ++i, ++result) {
        if (slot.start == StateSlot::Start::Parameter) {
          values.push_back(init.getArgument(i));
          continue;
        }
        double value = slot.start == StateSlot::Start::Constant ? slot.value : 0.0;
        values.push_back(ConstantOp::createSplat(builder, init.getLoc(), result->first, value));
      }
    }
    func::ReturnOp::create(builder, init.getLoc(), values);
  }

  /// @evaluation_point(params..., slots...) -> (params...): the parameters the
  /// model is evaluated and written with, where the optimizer's iterate is
  /// not that point (schedule-free's average x).
  void buildEvaluationPoint(OpBuilder &builder, func::FuncOp loss) {
    if (!optimizerKind(optimizer).hasEvaluationPoint)
      return;
    RoleList args = argRoles(loss, range(0, params.size()));
    args.append(slotRoles(loss));
    RoleList results = argRoles(loss, range(0, params.size()));
    func::FuncOp point = createFunction(builder, getOperation(), "evaluation_point", args, results);
    UpdateBuilder b(builder, point.getLoc());
    SmallVector<Value> values = rule->evaluationPoint(b, stepInputs(point.getArguments()));
    func::ReturnOp::create(builder, point.getLoc(), values);
  }

  /// @evaluation_statistics(params..., stats..., input[, dropout_key]) ->
  /// (stats...): one training-mode forward pass that updates the running
  /// statistics, for a model evaluated away from the optimizer's iterate
  /// (schedule-free's x): the trainer recomputes the statistics at x over
  /// training batches before it evaluates, as the package's docs require.
  void buildEvaluationStatistics(OpBuilder &builder, func::FuncOp loss) {
    if (!optimizerKind(optimizer).hasEvaluationPoint || !forwardTrain || stats.empty())
      return;
    SmallVector<int64_t> argIndices = range(0, inputIndex + 1);
    if (keyed)
      argIndices.push_back(loss.getNumArguments() - 1);
    RoleList args = argRoles(loss, argIndices);
    RoleList results = argRoles(loss, stats);
    func::FuncOp fn =
        createFunction(builder, getOperation(), "evaluation_statistics", args, results);
    auto call = func::CallOp::create(builder, fn.getLoc(), forwardTrain, fn.getArguments());
    func::ReturnOp::create(builder, fn.getLoc(), call.getResults().drop_front());
  }

  /// `name`(params, stats, input, labels[, dropout_key]) -> (loss, grads...).
  func::FuncOp buildValueAndGradient(OpBuilder &builder, func::FuncOp loss, StringRef name) {
    RoleList args = argRoles(loss, range(0, loss.getNumArguments()));
    RoleList results{{loss.getResultTypes().front(), "loss"}};
    results.append(argRoles(loss, range(0, params.size()), "grad:"));
    func::FuncOp grad = createFunction(builder, getOperation(), name, args, results);
    func::ReturnOp::create(builder, loss.getLoc(),
                           valueAndGradient(builder, loss, grad.getArguments()));
    return grad;
  }

  /// @loss_and_grad(params, stats, input, labels) -> (loss, grads...),
  /// @loss_hvp(..., v...) -> (grads..., H v...) and, for a model that drops
  /// out, @validation_loss_and_grad (the hypergradient's e).
  void buildExportedDerivatives(OpBuilder &builder, func::FuncOp loss) {
    RoleList args = argRoles(loss, range(0, loss.getNumArguments()));
    RoleList gradRoles = argRoles(loss, range(0, params.size()), "grad:");
    func::FuncOp grad = buildValueAndGradient(builder, loss, "loss_and_grad");
    if (auto validation = getOperation().lookupSymbol<func::FuncOp>("validation_loss"))
      buildValueAndGradient(builder, validation, "validation_loss_and_grad");

    RoleList hvpArgs = args;
    hvpArgs.append(argRoles(loss, range(0, params.size()), "tangent:"));
    RoleList hvpResults = gradRoles;
    hvpResults.append(argRoles(loss, range(0, params.size()), "hvp:"));
    func::FuncOp hvp = createFunction(builder, getOperation(), "loss_hvp", hvpArgs, hvpResults);
    ValueRange hvpBlockArgs = hvp.getArguments();
    SmallVector<Type> jvpTypes(grad.getResultTypes());
    jvpTypes.append(SmallVector<Type>(grad.getResultTypes()));
    auto jvp = JvpOp::create(builder, loss.getLoc(), jvpTypes, grad.getSymName(),
                             hvpBlockArgs.take_front(args.size()),
                             hvpBlockArgs.drop_front(args.size()), range(0, params.size()));
    size_t n = params.size();
    SmallVector<Value> returned(jvp.getResults().slice(1, n));
    returned.append(SmallVector<Value>(jvp.getResults().slice(n + 2, n)));
    func::ReturnOp::create(builder, loss.getLoc(), returned);
  }

  std::shared_ptr<OptimizerRule> rule; // shared: the pass is cloned
  SmallVector<StateSlot> slots;
  SmallVector<int64_t> params, stats;
  int64_t inputIndex = -1;
  func::FuncOp forwardTrain;
  /// Whether the model drops out: @forward_train, @loss and the steps then
  /// take "dropout_key".
  bool keyed = false;
};

} // namespace
