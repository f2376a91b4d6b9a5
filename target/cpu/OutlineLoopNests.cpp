// marthe-outline-loop-nests: one private function per top-level loop nest.

#include "target/cpu/CpuTarget.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

namespace marthe {
#define GEN_PASS_DEF_OUTLINELOOPNESTS
#include "target/cpu/Passes.h.inc"
} // namespace marthe

using namespace mlir;

namespace {

struct OutlineLoopNests : marthe::impl::OutlineLoopNestsBase<OutlineLoopNests> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> publicFunctions;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal())
        publicFunctions.push_back(fn);
    for (func::FuncOp fn : publicFunctions) {
      SmallVector<Operation *> nests;
      for (Operation &op : fn.getBody().front())
        if (llvm::isa<linalg::LinalgOp>(op))
          nests.push_back(&op);
      for (auto [i, nest] : llvm::enumerate(nests))
        outline(module, nest, (fn.getSymName() + "_nest_" + llvm::Twine(i)).str());
    }
  }

  /// The values `nest` reads from above, except constants (cloned).
  static SmallVector<Value> capturedValues(Operation *nest) {
    llvm::SetVector<Value> captured(nest->getOperands().begin(), nest->getOperands().end());
    for (Region &region : nest->getRegions()) {
      llvm::SetVector<Value> above;
      getUsedValuesDefinedAbove(region, above);
      for (Value v : above)
        if (!v.getDefiningOp() || !v.getDefiningOp()->hasTrait<OpTrait::ConstantLike>())
          captured.insert(v);
    }
    return captured.takeVector();
  }

  void outline(ModuleOp module, Operation *nest, const std::string &name) {
    SmallVector<Value> args = capturedValues(nest);
    OpBuilder builder(module.getContext());
    builder.setInsertionPointToEnd(module.getBody());
    auto fn = func::FuncOp::create(builder, nest->getLoc(), name,
                                   builder.getFunctionType(ValueRange(args).getTypes(), {}));
    fn.setPrivate();
    fn.setNoInline(true);
    Block *body = fn.addEntryBlock();
    builder.setInsertionPointToStart(body);
    IRMapping mapping;
    mapping.map(args, body->getArguments());
    for (Region &region : nest->getRegions()) {
      llvm::SetVector<Value> above;
      getUsedValuesDefinedAbove(region, above);
      for (Value v : above)
        if (!mapping.contains(v))
          mapping.map(v, builder.clone(*v.getDefiningOp())->getResult(0));
    }
    builder.clone(*nest, mapping);
    func::ReturnOp::create(builder, nest->getLoc());

    builder.setInsertionPoint(nest);
    func::CallOp::create(builder, nest->getLoc(), fn, args);
    nest->erase();
  }
};

} // namespace
