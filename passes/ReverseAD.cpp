#include "passes/Differentiate.h"
#include "passes/FunctionUtils.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace marthe {
#define GEN_PASS_DEF_REVERSEAD
#include "passes/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

/// Builds `<callee>_grad_<wrt>`: the callee's ops, then their adjoints in
/// reverse order, returning the value and the gradients in the wrt arguments.
class GradientBuilder {
public:
  GradientBuilder(ModuleOp module, GradOp request) : module(module), request(request) {}

  FailureOr<func::FuncOp> build() {
    auto fn = module.lookupSymbol<func::FuncOp>(request.getCallee());
    std::string name = derivedName(fn.getSymName(), "grad", request.getWrt());
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    if (failed(checkDifferentiable(fn, request)))
      return failure();

    OpBuilder builder(module.getContext());
    RoleList results{resultRoles(fn).front()};
    results.append(argRoles(fn, request.getWrt(), "grad:"));
    func::FuncOp grad = createFunction(builder, module, name, argRoles(fn), results);
    grad.setPrivate();
    IRMapping mapping;
    mapping.map(fn.getArguments(), grad.getArguments());
    SmallVector<Operation *> primalOps;
    for (Operation &op : fn.getBody().front().without_terminator())
      primalOps.push_back(builder.clone(op, mapping));
    Value value = mapping.lookup(fn.getBody().front().getTerminator()->getOperand(0));
    adjoints[value] = ConstantOp::createSplat(builder, fn.getLoc(), value.getType(), 1.0);

    for (Operation *op : llvm::reverse(primalOps))
      if (failed(propagate(builder, op)))
        return failure();

    SmallVector<Value> returned{value};
    for (int64_t index : request.getWrt())
      returned.push_back(lookupOrZero(adjoints, builder, grad.getArgument(index)));
    func::ReturnOp::create(builder, fn.getLoc(), returned);
    return grad;
  }

private:
  LogicalResult propagate(OpBuilder &builder, Operation *op) {
    if (llvm::isa<ConstantOp>(op))
      return success();
    SmallVector<Value> resultAdjoints;
    for (Value result : op->getResults())
      resultAdjoints.push_back(adjoints.lookup(result));
    if (llvm::all_of(resultAdjoints, [](Value v) { return !v; }))
      return success();
    auto rule = llvm::cast<DifferentiableOpInterface>(op).buildVjp(builder, resultAdjoints);
    if (failed(rule))
      return failure();
    for (auto [operand, adjoint] : llvm::zip(op->getOperands(), *rule))
      if (adjoint)
        accumulate(builder, operand, adjoint);
    return success();
  }

  void accumulate(OpBuilder &builder, Value target, Value adjoint) {
    Value &slot = adjoints[target];
    slot = slot ? AddOp::create(builder, adjoint.getLoc(), slot, adjoint).getResult() : adjoint;
  }

  ModuleOp module;
  GradOp request;
  DenseMap<Value, Value> adjoints;
};

struct ReverseADPass : marthe::impl::ReverseADBase<ReverseADPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto makeGradient = [&](GradOp request) {
      return GradientBuilder(module, request).build();
    };
    if (failed(lowerRequests<GradOp>(module, makeGradient)))
      signalPassFailure();
  }
};

} // namespace
