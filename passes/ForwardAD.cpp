#include "passes/Differentiate.h"
#include "passes/FunctionUtils.h"
#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace marthe {
#define GEN_PASS_DEF_FORWARDAD
#include "passes/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

bool isFloatTensor(Type type) {
  return llvm::isa<FloatType>(llvm::cast<RankedTensorType>(type).getElementType());
}

/// Builds `<callee>_jvp_<wrt>`: each op of the callee followed by the op's
/// tangent, returning the callee's results and the tangents of its float results.
class TangentBuilder {
public:
  TangentBuilder(ModuleOp module, JvpOp request) : module(module), request(request) {}

  FailureOr<func::FuncOp> build() {
    auto fn = module.lookupSymbol<func::FuncOp>(request.getCallee());
    std::string name = derivedName(fn.getSymName(), "jvp", request.getWrt());
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    if (failed(checkDifferentiable(fn, request)))
      return failure();

    OpBuilder builder(module.getContext());
    RoleList args = argRoles(fn);
    args.append(argRoles(fn, request.getWrt(), "tangent:"));
    func::FuncOp jvp = createFunction(builder, module, name, args, tangentResultRoles(fn));
    jvp.setPrivate();
    IRMapping mapping;
    mapping.map(fn.getArguments(), jvp.getArguments().take_front(fn.getNumArguments()));
    for (auto [i, index] : llvm::enumerate(request.getWrt()))
      tangents[jvp.getArgument(index)] = jvp.getArgument(fn.getNumArguments() + i);

    for (Operation &op : fn.getBody().front().without_terminator())
      if (failed(differentiate(builder, builder.clone(op, mapping))))
        return failure();

    SmallVector<Value> returned, returnedTangents;
    for (Value result : fn.getBody().front().getTerminator()->getOperands()) {
      Value primal = mapping.lookup(result);
      returned.push_back(primal);
      if (isFloatTensor(primal.getType()))
        returnedTangents.push_back(lookupOrZero(tangents, builder, primal));
    }
    returned.append(returnedTangents);
    func::ReturnOp::create(builder, fn.getLoc(), returned);
    return jvp;
  }

private:
  /// The callee's results, then a tangent for each float result.
  static RoleList tangentResultRoles(func::FuncOp fn) {
    RoleList list = resultRoles(fn);
    for (auto [type, role] : resultRoles(fn))
      if (isFloatTensor(type))
        list.push_back({type, role.empty() ? "" : "tangent:" + role});
    return list;
  }

  LogicalResult differentiate(OpBuilder &builder, Operation *op) {
    if (llvm::isa<ConstantOp>(op))
      return success();
    SmallVector<Value> operandTangents;
    for (Value operand : op->getOperands())
      operandTangents.push_back(tangents.lookup(operand));
    if (llvm::all_of(operandTangents, [](Value v) { return !v; }))
      return success();
    auto rule = llvm::cast<DifferentiableOpInterface>(op).buildJvp(builder, operandTangents);
    if (failed(rule))
      return failure();
    for (auto [result, tangent] : llvm::zip(op->getResults(), *rule))
      if (tangent)
        tangents[result] = tangent;
    return success();
  }

  ModuleOp module;
  JvpOp request;
  DenseMap<Value, Value> tangents;
};

struct ForwardADPass : marthe::impl::ForwardADBase<ForwardADPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto makeTangent = [&](JvpOp request) {
      return TangentBuilder(module, request).build();
    };
    if (failed(lowerRequests<JvpOp>(module, makeTangent)))
      signalPassFailure();
  }
};

} // namespace
