#include "passes/FunctionUtils.h"
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

  /// The state: the parameters, the optimizer's buffers, then the running
  /// statistics (state that the step updates but does not train).
  RoleList stateRoles(func::FuncOp loss) {
    SmallVector<int64_t> all = range(0, params.size());
    RoleList roles = argRoles(loss, all);
    if (optimizer == Optimizer::Momentum)
      roles.append(argRoles(loss, all, "opt:momentum:"));
    if (optimizer == Optimizer::Adam) {
      roles.append(argRoles(loss, all, "opt:adam_m:"));
      roles.append(argRoles(loss, all, "opt:adam_v:"));
      // float64 whatever the model's precision: 1 - beta^k stays exact
      // over any number of steps (float32 drifts by ~1e-7 a step).
      Type wide = RankedTensorType::get({}, Float64Type::get(loss.getContext()));
      roles.push_back({wide, "opt:adam_bc1"});
      roles.push_back({wide, "opt:adam_bc2"});
    }
    roles.append(argRoles(loss, stats));
    return roles;
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
    Value eta = blockArgs[state.size() + 2];

    SmallVector<Value> returned = optimizer == Optimizer::Adam       ? adamUpdate(builder, stateValues, grads, eta)
                                  : optimizer == Optimizer::Momentum ? momentumUpdate(builder, stateValues, grads, eta)
                                                            : sgdUpdate(builder, stateValues, grads, eta);
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

  Value scalarConstant(OpBuilder &builder, Value like, double value) {
    return ConstantOp::createSplat(builder, like.getLoc(), scalarType(like.getType()), value);
  }

  /// a * x + c * y for constants a and c.
  Value mix(OpBuilder &builder, double a, Value x, double c, Value y) {
    Location loc = x.getLoc();
    Value ax = MulOp::create(builder, loc, scalarConstant(builder, x, a), x);
    Value cy = MulOp::create(builder, loc, scalarConstant(builder, y, c), y);
    return AddOp::create(builder, loc, ax, cy);
  }

  /// w - eta * direction
  Value descend(OpBuilder &builder, Value w, Value eta, Value direction) {
    Location loc = w.getLoc();
    return SubOp::create(builder, loc, w, MulOp::create(builder, loc, eta, direction));
  }

  /// g + lambda * w
  Value regularizedGradient(OpBuilder &builder, Value w, Value g) {
    if (weightDecay == 0.0)
      return g;
    Location loc = w.getLoc();
    Value decay = MulOp::create(builder, loc, scalarConstant(builder, w, weightDecay), w);
    return AddOp::create(builder, loc, g, decay);
  }

  SmallVector<Value> sgdUpdate(OpBuilder &builder, ValueRange state, ArrayRef<Value> grads,
                               Value eta) {
    SmallVector<Value> updated;
    for (auto [w, g] : llvm::zip(state, grads))
      updated.push_back(descend(builder, w, eta, g));
    return updated;
  }

  /// buf' = m * buf + g; w' = w - eta * buf' (PyTorch's convention; buf starts
  /// at 0, so buf_1 = g).
  SmallVector<Value> momentumUpdate(OpBuilder &builder, ValueRange state, ArrayRef<Value> grads,
                                    Value eta) {
    size_t n = grads.size();
    SmallVector<Value> weights, buffers;
    for (size_t i = 0; i < n; ++i) {
      Location loc = state[i].getLoc();
      Value decayed = MulOp::create(builder, loc, scalarConstant(builder, state[n + i], momentum),
                                    state[n + i]);
      buffers.push_back(AddOp::create(builder, loc, decayed, grads[i]));
      weights.push_back(descend(builder, state[i], eta, buffers.back()));
    }
    weights.append(buffers);
    return weights;
  }

  /// PyTorch's Adam. The bias corrections bc_k = 1 - beta^k are float64
  /// state too, starting at 0: bc' = beta * bc + (1 - beta), rounded to the
  /// model's precision where they divide.
  SmallVector<Value> adamUpdate(OpBuilder &builder, ValueRange state, ArrayRef<Value> grads,
                                Value eta) {
    size_t n = grads.size();
    auto correction = [&](Value bc, double beta) -> Value {
      Location loc = bc.getLoc();
      Value decayed = MulOp::create(builder, loc, scalarConstant(builder, bc, beta), bc);
      return AddOp::create(builder, loc, decayed, scalarConstant(builder, bc, 1 - beta));
    };
    Value bc1 = correction(state[3 * n], beta1), bc2 = correction(state[3 * n + 1], beta2);
    Location bcLoc = bc1.getLoc();
    Value bc1Model = ConvertOp::create(builder, bcLoc, eta.getType(), bc1);
    Value bc2Model = ConvertOp::create(builder, bcLoc, eta.getType(), bc2);
    SmallVector<Value> weights, firsts, seconds;
    for (size_t i = 0; i < n; ++i) {
      Location loc = state[i].getLoc();
      Value g = grads[i];
      Value m = mix(builder, beta1, state[n + i], 1 - beta1, g);
      Value v = mix(builder, beta2, state[2 * n + i], 1 - beta2,
                    MulOp::create(builder, loc, g, g));
      Value s = SqrtOp::create(builder, loc, DivOp::create(builder, loc, v, bc2Model));
      Value denominator = AddOp::create(builder, loc, s, scalarConstant(builder, s, epsilon));
      Value u =
          DivOp::create(builder, loc, DivOp::create(builder, loc, m, bc1Model), denominator);
      weights.push_back(descend(builder, state[i], eta, u));
      firsts.push_back(m);
      seconds.push_back(v);
    }
    weights.append(firsts);
    weights.append(seconds);
    weights.append({bc1, bc2});
    return weights;
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

  SmallVector<int64_t> params, stats;
  int64_t inputIndex = -1;
  func::FuncOp forwardTrain;
  /// Whether the model drops out: @forward_train, @loss and the steps then
  /// take "dropout_key".
  bool keyed = false;
};

} // namespace
