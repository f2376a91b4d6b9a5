// marthe-outline-loop-nests: one private function per distinct top-level
// loop nest. Nests that differ only in the buffers they take (the same
// element-wise chain on the same shapes, in the forward, the gradient and
// the tangent of one step) share one function: a derived step repeats most
// of its nests, and LLVM's time grows with the code it is given. The
// functions are not inlined; where the memory plan shows that a nest writes
// no buffer that another of its buffers overlaps, its pointers are noalias.

#include "target/cpu/CpuTarget.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"

#include <limits>

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
    llvm::StringMap<func::FuncOp> outlinedByBody;
    for (func::FuncOp fn : publicFunctions) {
      SmallVector<Operation *> nests;
      for (Operation &op : fn.getBody().front())
        if (llvm::isa<linalg::LinalgOp>(op))
          nests.push_back(&op);
      for (auto [i, nest] : llvm::enumerate(nests)) {
        SmallVector<Value> args = capturedValues(nest);
        func::FuncOp outlined = outline(module, nest, args);
        if (writesDisjointBuffers(cast<linalg::LinalgOp>(nest), args))
          markNoAlias(outlined);
        auto [known, isNew] = outlinedByBody.try_emplace(bodyKey(outlined), outlined);
        if (isNew)
          outlined.setSymName((fn.getSymName() + "_nest_" + llvm::Twine(i)).str());
        else
          outlined.erase();
        OpBuilder builder(nest);
        func::CallOp::create(builder, nest->getLoc(), known->second, args);
        nest->erase();
      }
    }
  }

  /// Where a buffer's bytes lie: within a function argument, or within
  /// bytes [begin, end) of one (the arena).
  struct Extent {
    Value root;
    int64_t begin = 0, end = std::numeric_limits<int64_t>::max();
  };

  /// The extent of `buffer` through its views, if it is known: a view's
  /// extent is its source's (a superset), a memref.view at a constant offset
  /// with a static shape is exactly its bytes.
  static std::optional<Extent> extentOf(Value buffer) {
    while (Operation *op = buffer.getDefiningOp()) {
      if (auto view = dyn_cast<memref::ViewOp>(op)) {
        Extent extent{view.getSource()};
        std::optional<int64_t> offset = getConstantIntValue(view.getByteShift());
        MemRefType type = view.getType();
        if (offset && type.hasStaticShape() && type.getElementType().isIntOrFloat()) {
          extent.begin = *offset;
          extent.end = *offset + type.getNumElements() *
                                     llvm::divideCeil(type.getElementTypeBitWidth(), 8);
        }
        return extent;
      }
      auto viewLike = dyn_cast<ViewLikeOpInterface>(op);
      if (!viewLike)
        return std::nullopt;
      buffer = viewLike.getViewSource();
    }
    return Extent{buffer};
  }

  /// Whether no buffer `nest` writes shares bytes with another of `args`.
  /// Distinct function arguments are distinct buffers (runtime/Abi.h); the
  /// memory plan gives buffers live at once disjoint bytes of the arena.
  static bool writesDisjointBuffers(linalg::LinalgOp nest, ArrayRef<Value> args) {
    for (Value written : nest.getDpsInits()) {
      std::optional<Extent> w = extentOf(written);
      for (Value other : args) {
        if (other == written || !isa<MemRefType>(other.getType()))
          continue;
        std::optional<Extent> o = extentOf(other);
        if (!w || !o)
          return false;
        if (w->root == o->root && w->begin < o->end && o->begin < w->end)
          return false;
      }
    }
    return true;
  }

  /// Tells LLVM that the nest's buffers do not alias (`noalias`), which
  /// spares it the run-time overlap checks and the loop versions they guard.
  static void markNoAlias(func::FuncOp fn) {
    for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes()))
      if (isa<MemRefType>(type))
        fn.setArgAttr(i, "llvm.noalias", UnitAttr::get(fn.getContext()));
  }

  /// What two outlined nests must share to be one function: their text
  /// (types, attributes and constants included) under the placeholder name.
  static std::string bodyKey(func::FuncOp fn) {
    std::string text;
    llvm::raw_string_ostream os(text);
    fn->print(os, OpPrintingFlags().useLocalScope().printGenericOpForm());
    return text;
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

  /// `nest` as a private function of `args`, under a placeholder name.
  static func::FuncOp outline(ModuleOp module, Operation *nest, ArrayRef<Value> args) {
    OpBuilder builder(module.getContext());
    builder.setInsertionPointToEnd(module.getBody());
    auto fn = func::FuncOp::create(builder, nest->getLoc(), "nest",
                                   builder.getFunctionType(ValueRange(args).getTypes(), {}));
    fn.setPrivate();
    fn.setNoInline(true);
    // Kept through func-to-llvm (no_inline is not): LLVM would inline most
    // nests into the step and spend its time on one huge function.
    fn->setAttr("passthrough", builder.getStrArrayAttr({"noinline"}));
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
    return fn;
  }
};

} // namespace
