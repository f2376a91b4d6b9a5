// marthe-plan-memory: the static memory plan of a bufferized function.
// Results are computed in the caller's result buffers, and every other
// allocation becomes a view at a fixed offset of one arena that the caller
// passes in, with buffers whose lifetimes do not overlap sharing bytes.

#include "passes/FunctionUtils.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace marthe {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

constexpr int64_t kAlignment = 64;

/// One allocation: its bytes, the block positions of its first and last
/// use (through views), and the offset the plan gives it.
struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0, begin = 0, end = 0, offset = 0;
};

int64_t alignedBytes(MemRefType type) {
  int64_t bytes = type.getNumElements() * type.getElementTypeBitWidth() / 8;
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

/// A copy of a fresh allocation into a result buffer at the end of the
/// function is avoided by computing the allocation there in the first place.
void computeResultsInPlace(func::FuncOp fn) {
  DenseSet<Value> taken;
  SmallVector<memref::CopyOp> copies;
  fn.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
  for (memref::CopyOp copy : copies) {
    auto alloc = copy.getSource().getDefiningOp<memref::AllocOp>();
    auto target = llvm::dyn_cast<BlockArgument>(copy.getTarget());
    if (!alloc || !target || target.getOwner() != &fn.getBody().front() ||
        alloc.getType() != target.getType() || !taken.insert(alloc).second)
      continue;
    copy.erase();
    alloc.getResult().replaceAllUsesWith(target);
    alloc.erase();
  }
}

/// Positions in the function's block of the first and last user of `root`
/// and of the views of it.
void liveRange(Value root, Block &block, const DenseMap<Operation *, int64_t> &position,
               Buffer &buffer) {
  buffer.begin = INT64_MAX;
  buffer.end = -1;
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      Operation *top = block.findAncestorOpInBlock(*user);
      int64_t at = position.lookup(top);
      buffer.begin = std::min(buffer.begin, at);
      buffer.end = std::max(buffer.end, at);
      if (auto view = llvm::dyn_cast<ViewLikeOpInterface>(user))
        if (view.getViewSource() == value)
          worklist.push_back(user->getResult(0));
    }
  }
  if (buffer.end < 0)
    buffer.begin = buffer.end = position.lookup(root.getDefiningOp());
}

/// Greedy placement in order of first use: the lowest offset that overlaps
/// no placed buffer alive at the same time. Returns the arena size.
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

struct PlanMemory : marthe::impl::PlanMemoryBase<PlanMemory> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.isExternal())
      return;
    Block &block = fn.getBody().front();
    computeResultsInPlace(fn);
    fn.walk([](memref::DeallocOp dealloc) { dealloc.erase(); });

    DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(block))
      position[&op] = i;
    std::vector<Buffer> buffers;
    for (auto alloc : block.getOps<memref::AllocOp>()) {
      if (!alloc.getType().hasStaticShape() || !alloc.getType().getLayout().isIdentity()) {
        alloc.emitOpError("needs a static shape and the identity layout to be planned");
        return signalPassFailure();
      }
      Buffer buffer{alloc, alignedBytes(alloc.getType())};
      liveRange(alloc.getResult(), block, position, buffer);
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
      return signalPassFailure();
    Value arena = fn.getArgument(arenaIndex);
    for (Buffer &buffer : buffers) {
      builder.setInsertionPoint(buffer.alloc);
      Location loc = buffer.alloc.getLoc();
      Value offset = arith::ConstantIndexOp::create(builder, loc, buffer.offset);
      Value view =
          memref::ViewOp::create(builder, loc, buffer.alloc.getType(), arena, offset, ValueRange{});
      buffer.alloc.getResult().replaceAllUsesWith(view);
      buffer.alloc.erase();
    }
    fn->setAttr("marthe.arena_bytes", builder.getI64IntegerAttr(arenaBytes));
    // Targets that lower buffers to pointers keep the buffer types here.
    SmallVector<Attribute> types;
    for (Type type : fn.getArgumentTypes())
      types.push_back(TypeAttr::get(type));
    fn->setAttr("marthe.buffer_types", builder.getArrayAttr(types));
  }
};

} // namespace
