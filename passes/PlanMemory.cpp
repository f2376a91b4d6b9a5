// marthe-plan-memory: the static memory plan of bufferized entry functions.
// Results are computed in the caller's result buffers, and every other
// allocation becomes a view at a fixed offset of one arena that the caller
// passes in, with buffers whose lifetimes do not overlap sharing bytes.

#include "passes/FunctionUtils.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

namespace marthe {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

constexpr int64_t kAlignment = 64;
constexpr StringLiteral kResultAttr = "bufferize.result";

/// One allocation: its bytes, the block positions of its first and last
/// use (through every value that may alias it), and its offset in the plan.
struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0, begin = 0, end = 0, offset = 0;
};

bool isResultArgument(func::FuncOp fn, Value value) {
  auto arg = llvm::dyn_cast<BlockArgument>(value);
  return arg && arg.getOwner() == &fn.getBody().front() &&
         fn.getArgAttr(arg.getArgNumber(), kResultAttr);
}

/// `root` and every value that may alias it: memref results of its users
/// (views, selects, casts, ...) and, where a user yields it from a region,
/// the memref results of the op holding the region.
SmallVector<Value> aliasesOf(Value root) {
  SmallVector<Value> aliases{root};
  DenseSet<Value> seen{root};
  auto add = [&](Value value) {
    if (llvm::isa<BaseMemRefType>(value.getType()) && seen.insert(value).second)
      aliases.push_back(value);
  };
  for (size_t i = 0; i < aliases.size(); ++i)
    for (Operation *user : aliases[i].getUsers()) {
      for (Value result : user->getResults())
        add(result);
      if (user->hasTrait<mlir::OpTrait::IsTerminator>() && user->getParentOp())
        for (Value result : user->getParentOp()->getResults())
          add(result);
    }
  return aliases;
}

/// A copy of a fresh allocation into a result buffer, as the last use of the
/// allocation, is avoided by computing the allocation there in the first
/// place. The result buffer must be used by that copy alone.
void computeResultsInPlace(func::FuncOp fn) {
  Block &block = fn.getBody().front();
  SmallVector<memref::CopyOp> copies(block.getOps<memref::CopyOp>());
  for (memref::CopyOp copy : copies) {
    auto alloc = copy.getSource().getDefiningOp<memref::AllocOp>();
    Value target = copy.getTarget();
    if (!alloc || alloc->getBlock() != &block || alloc.getType() != target.getType() ||
        !isResultArgument(fn, target) || !target.hasOneUse())
      continue;
    bool lastUse = llvm::all_of(aliasesOf(alloc), [&](Value alias) {
      return llvm::all_of(alias.getUsers(), [&](Operation *user) {
        return user == copy || block.findAncestorOpInBlock(*user)->isBeforeInBlock(copy);
      });
    });
    if (!lastUse)
      continue;
    copy.erase();
    alloc.getResult().replaceAllUsesWith(target);
    alloc.erase();
  }
}

/// Positions in the function's block of the first and last user of the
/// allocation or of anything that may alias it.
void liveRange(const DenseMap<Operation *, int64_t> &position, Block &block,
               Buffer &buffer) {
  buffer.begin = buffer.end = position.lookup(buffer.alloc);
  for (Value alias : aliasesOf(buffer.alloc))
    for (Operation *user : alias.getUsers()) {
      int64_t at = position.lookup(block.findAncestorOpInBlock(*user));
      buffer.begin = std::min(buffer.begin, at);
      buffer.end = std::max(buffer.end, at);
    }
}

/// Greedy placement in order of first use: the lowest offset that overlaps
/// no placed buffer alive at the same time. Ranges are closed, so an op's
/// output never shares bytes with its operands. Returns the arena size.
int64_t placeBuffers(std::vector<Buffer> &buffers) {
  llvm::stable_sort(buffers, [](const Buffer &a, const Buffer &b) { return a.begin < b.begin; });
  int64_t arenaBytes = 0;
  for (size_t i = 0; i < buffers.size(); ++i) {
    SmallVector<std::pair<int64_t, int64_t>> busy;
    for (size_t j = 0; j < i; ++j)
      if (buffers[j].end >= buffers[i].begin)
        busy.push_back({buffers[j].offset, buffers[j].offset + buffers[j].bytes});
    llvm::sort(busy);
    int64_t offset = 0;
    for (auto [from, to] : busy) {
      if (offset + buffers[i].bytes <= from)
        break;
      offset = std::max(offset, to);
    }
    buffers[i].offset = offset;
    arenaBytes = std::max(arenaBytes, offset + buffers[i].bytes);
  }
  return arenaBytes;
}

/// Bytes of a planned buffer, rounded up to the alignment; failure for
/// what the plan cannot hold.
FailureOr<int64_t> plannedBytes(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  Type element = type.getElementType();
  bool scalar = llvm::isa<FloatType>(element) || llvm::isa<IntegerType>(element);
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() || type.getMemorySpace() ||
      !scalar || element.getIntOrFloatBitWidth() % 8 != 0)
    return alloc.emitOpError("cannot be planned: it needs a static shape, the identity layout, "
                             "the default memory space and a whole-byte integer or float "
                             "element type"),
           failure();
  int64_t bytes = type.getNumElements() * element.getIntOrFloatBitWidth() / 8;
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

/// What a planned function may not do: have callers (its signature changes),
/// more than one block, allocations inside regions, write a buffer the
/// caller passed as an argument, or return memory of its own.
LogicalResult checkPlannable(func::FuncOp fn, ModuleOp module) {
  if (!SymbolTable::symbolKnownUseEmpty(fn, module))
    return fn.emitOpError("is called: marthe-plan-memory adds an arena argument to entry "
                          "functions only");
  if (!fn.getBody().hasOneBlock())
    return fn.emitOpError("has more than one block; marthe-plan-memory plans one block");
  Block &block = fn.getBody().front();
  auto isArgument = [&](Value value) {
    auto arg = llvm::dyn_cast<BlockArgument>(value);
    return arg && arg.getOwner() == &block && !isResultArgument(fn, value);
  };
  WalkResult walk = fn.walk([&](Operation *op) -> WalkResult {
    if (llvm::isa<memref::AllocOp>(op) && op->getBlock() != &block)
      return op->emitOpError("inside a region cannot be planned");
    if (auto ret = llvm::dyn_cast<func::ReturnOp>(op); ret && ret.getNumOperands())
      return ret.emitOpError("returns values; run buffer-results-to-out-params first");
    SmallVector<Value> written;
    if (auto dps = llvm::dyn_cast<DestinationStyleOpInterface>(op))
      for (OpOperand &init : dps.getDpsInitsMutable())
        written.push_back(init.get());
    if (auto copy = llvm::dyn_cast<memref::CopyOp>(op))
      written.push_back(copy.getTarget());
    if (auto store = llvm::dyn_cast<memref::StoreOp>(op))
      written.push_back(store.getMemRef());
    for (Value value : written)
      if (isArgument(value))
        return op->emitOpError("writes argument ")
               << llvm::cast<BlockArgument>(value).getArgNumber()
               << ", which belongs to the caller";
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

LogicalResult planFunction(func::FuncOp fn) {
  Block &block = fn.getBody().front();
  computeResultsInPlace(fn);
  DenseMap<Operation *, int64_t> position;
  for (auto [i, op] : llvm::enumerate(block))
    position[&op] = i;
  std::vector<Buffer> buffers;
  for (auto alloc : block.getOps<memref::AllocOp>()) {
    FailureOr<int64_t> bytes = plannedBytes(alloc);
    if (failed(bytes))
      return failure();
    Buffer buffer{alloc, *bytes};
    liveRange(position, block, buffer);
    buffers.push_back(buffer);
  }
  int64_t arenaBytes = placeBuffers(buffers);

  OpBuilder builder(fn.getContext());
  auto arenaType = MemRefType::get({arenaBytes}, builder.getI8Type());
  unsigned arenaIndex = fn.getNumArguments();
  if (failed(fn.insertArgument(arenaIndex, arenaType,
                               builder.getDictionaryAttr(builder.getNamedAttr(
                                   kRoleAttr, builder.getStringAttr("arena"))),
                               fn.getLoc())))
    return failure();
  Value arena = fn.getArgument(arenaIndex);
  for (Buffer &buffer : buffers) {
    for (Value alias : aliasesOf(buffer.alloc))
      for (Operation *user : llvm::make_early_inc_range(alias.getUsers()))
        if (llvm::isa<memref::DeallocOp>(user))
          user->erase();
    builder.setInsertionPoint(buffer.alloc);
    Location loc = buffer.alloc.getLoc();
    Value offset = arith::ConstantIndexOp::create(builder, loc, buffer.offset);
    Value view = memref::ViewOp::create(builder, loc, buffer.alloc.getType(), arena, offset,
                                        ValueRange{});
    buffer.alloc.getResult().replaceAllUsesWith(view);
    buffer.alloc.erase();
  }
  fn->setAttr("marthe.arena_bytes", builder.getI64IntegerAttr(arenaBytes));
  // Targets that lower buffers to pointers keep the buffer types here.
  SmallVector<Attribute> types;
  for (Type type : fn.getArgumentTypes())
    types.push_back(TypeAttr::get(type));
  fn->setAttr("marthe.buffer_types", builder.getArrayAttr(types));
  return success();
}

/// The module's globals in name order, before its functions: one-shot
/// bufferization creates the constants' globals in an order that varies from
/// run to run (it follows pointer-keyed maps), and a build must not.
void sortGlobals(ModuleOp module) {
  SmallVector<memref::GlobalOp> globals(module.getOps<memref::GlobalOp>());
  llvm::stable_sort(globals, [](memref::GlobalOp a, memref::GlobalOp b) {
    return a.getSymName() < b.getSymName();
  });
  for (memref::GlobalOp global : llvm::reverse(globals))
    global->moveBefore(&module.getBody()->front());
}

struct PlanMemory : marthe::impl::PlanMemoryBase<PlanMemory> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    sortGlobals(module);
    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      if (failed(checkPlannable(fn, module)) || failed(planFunction(fn)))
        return signalPassFailure();
    }
  }
};

} // namespace
