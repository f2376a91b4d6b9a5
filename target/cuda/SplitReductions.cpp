// marthe-gpu-split-reductions: full reductions -> two-stage device reductions
// (block partial sums, then one block adding them up).

#include "target/cuda/CudaTarget.h"
#include "target/cuda/KernelBuilder.h"

#include "dialect/MartheDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace marthe {
#define GEN_PASS_DEF_GPUSPLITREDUCTIONS
#include "target/cuda/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

constexpr int64_t kAlignment = 64;

int64_t alignUp(int64_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

/// A generic whose loops all reduce into rank-0 float outputs, each output
/// summed (sumsIntoOutputs).
bool isSplittable(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumLoops() == 0 ||
      op.getNumReductionLoops() != op.getNumLoops() || op.hasIndexSemantics())
    return false;
  if (llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return false;
  return llvm::all_of(op.getDpsInits(), [](Value init) {
           return llvm::cast<MemRefType>(init.getType()).getRank() == 0;
         }) &&
         sumsIntoOutputs(op);
}

struct GpuSplitReductions : marthe::impl::GpuSplitReductionsBase<GpuSplitReductions> {
  using Base::Base;

  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      SmallVector<linalg::GenericOp> reductions;
      for (auto op : fn.getOps<linalg::GenericOp>())
        if (isSplittable(op))
          reductions.push_back(op);
      if (reductions.empty())
        continue;
      if (failed(splitAll(fn, reductions)))
        return signalPassFailure();
    }
  }

  int64_t blocksFor(int64_t elements) {
    int64_t perBlock = threadsPerBlock * 8; // a few elements per thread
    return std::clamp<int64_t>((elements + perBlock - 1) / perBlock, 1, maxBlocks);
  }

  /// Splits `reductions`, with their partial sums in scratch appended to the
  /// arena of `fn`.
  LogicalResult splitAll(func::FuncOp fn, ArrayRef<linalg::GenericOp> reductions) {
    std::optional<unsigned> arenaIndex;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i)
      if (auto role = fn.getArgAttrOfType<StringAttr>(i, MartheDialect::kRoleAttrName); role && role == "arena")
        arenaIndex = i;
    if (!arenaIndex)
      return fn.emitOpError("has no arena argument (run marthe-plan-memory first)");
    BlockArgument arena = fn.getArgument(*arenaIndex);
    int64_t arenaBytes = llvm::cast<MemRefType>(arena.getType()).getNumElements();
    int64_t scratchBytes = 0;
    for (linalg::GenericOp op : reductions)
      scratchBytes = std::max(scratchBytes, split(op, arena, arenaBytes));
    growArena(fn, *arenaIndex, arenaBytes + scratchBytes);
    return success();
  }

  /// Replaces `op`; returns the scratch bytes its partial sums take.
  int64_t split(linalg::GenericOp op, Value arena, int64_t scratchStart) {
    SmallVector<std::optional<Value>> fills = takeFills(op);
    OpBuilder b(op);
    Location loc = op.getLoc();
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t elements = product(ranges);
    int64_t threads = threadsPerBlock, blocks = blocksFor(elements);
    SmallVector<Type> types;
    SmallVector<Value> partials;
    int64_t offset = scratchStart;
    for (Value init : op.getDpsInits()) {
      Type type = llvm::cast<MemRefType>(init.getType()).getElementType();
      types.push_back(type);
      Value at = arith::ConstantIndexOp::create(b, loc, offset);
      partials.push_back(memref::ViewOp::create(b, loc, MemRefType::get({blocks}, type), arena,
                                                at, ValueRange()));
      offset += alignUp(blocks * type.getIntOrFloatBitWidth() / 8);
    }
    blockPartials(b, op, ranges, elements, blocks, threads, types, partials);
    b.setInsertionPoint(op);
    addPartials(b, op, blocks, threads, types, partials, fills);
    op.erase();
    return offset - scratchStart;
  }

  /// Each thread accumulates elements gid, gid + blocks*threads, ...; each
  /// block's sum goes to partials[block].
  void blockPartials(OpBuilder &b, linalg::GenericOp op, ArrayRef<int64_t> ranges,
                     int64_t elements, int64_t blocks, int64_t threads, TypeRange types,
                     ValueRange partials) {
    Location loc = op.getLoc();
    gpu::LaunchOp launch = createLaunch(b, loc, blocks, threads);
    Value begin = globalThreadId(b, launch, threads);
    Value end = arith::ConstantIndexOp::create(b, loc, elements);
    Value stride = arith::ConstantIndexOp::create(b, loc, blocks * threads);
    auto loop = scf::ForOp::create(
        b, loc, begin, end, stride, zerosOf(b, loc, types),
        [&](OpBuilder &nested, Location nestedLoc, Value i, ValueRange accumulators) {
          SmallVector<Value> indices = delinearize(nested, nestedLoc, i, ranges);
          scf::YieldOp::create(nested, nestedLoc,
                               evaluateBody(nested, nestedLoc, op, indices, accumulators));
        });
    SmallVector<Value> sums = blockSums(b, loc, loop.getResults());
    inFirstThread(b, launch, [&] {
      for (auto [sum, partial] : llvm::zip(sums, partials))
        memref::StoreOp::create(b, loc, sum, partial, launch.getBlockIds().x);
    });
  }

  /// One block adds the partial sums to the outputs' initial values: the
  /// fills' values, or what the outputs hold.
  void addPartials(OpBuilder &b, linalg::GenericOp op, int64_t blocks, int64_t threads,
                   TypeRange types, ValueRange partials,
                   ArrayRef<std::optional<Value>> fills) {
    Location loc = op.getLoc();
    gpu::LaunchOp launch = createLaunch(b, loc, 1, threads);
    Value end = arith::ConstantIndexOp::create(b, loc, blocks);
    Value stride = arith::ConstantIndexOp::create(b, loc, threads);
    auto loop = scf::ForOp::create(
        b, loc, launch.getThreadIds().x, end, stride, zerosOf(b, loc, types),
        [&](OpBuilder &nested, Location nestedLoc, Value i, ValueRange accumulators) {
          SmallVector<Value> updated;
          for (auto [accumulator, partial] : llvm::zip(accumulators, partials)) {
            Value value = memref::LoadOp::create(nested, nestedLoc, partial, i);
            updated.push_back(arith::AddFOp::create(nested, nestedLoc, accumulator, value));
          }
          scf::YieldOp::create(nested, nestedLoc, updated);
        });
    SmallVector<Value> sums = blockSums(b, loc, loop.getResults());
    inFirstThread(b, launch, [&] {
      for (auto [sum, init, fill] : llvm::zip(sums, op.getDpsInits(), fills)) {
        Value old = fill ? *fill : memref::LoadOp::create(b, loc, init, ValueRange());
        Value total = arith::AddFOp::create(b, loc, old, sum);
        memref::StoreOp::create(b, loc, total, init, ValueRange());
      }
    });
  }

  /// Gives the arena argument `bytes` bytes, in the signature and in the
  /// plan's attributes.
  void growArena(func::FuncOp fn, unsigned index, int64_t bytes) {
    auto type = MemRefType::get({bytes}, IntegerType::get(fn.getContext(), 8));
    fn.getArgument(index).setType(type);
    SmallVector<Type> inputs(fn.getBody().front().getArgumentTypes());
    fn.setType(FunctionType::get(fn.getContext(), inputs, fn.getResultTypes()));
    Builder b(fn.getContext());
    fn->setAttr("marthe.arena_bytes", b.getI64IntegerAttr(bytes));
    if (auto types = fn->getAttrOfType<ArrayAttr>("marthe.buffer_types")) {
      SmallVector<Attribute> updated(types.begin(), types.end());
      if (index < updated.size())
        updated[index] = TypeAttr::get(type);
      fn->setAttr("marthe.buffer_types", b.getArrayAttr(updated));
    }
  }
};

} // namespace
