// marthe-gpu-launches-to-loops: gpu.launch -> host loops over blocks and
// threads, to run the GPU mapping on the CPU in tests.

#include "target/cuda/CudaTarget.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace marthe {
#define GEN_PASS_DEF_GPULAUNCHESTOLOOPS
#include "target/cuda/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

/// The launch's size in one dimension, if constant.
std::optional<int64_t> constantSize(Value size) {
  APInt value;
  if (!matchPattern(size, m_ConstantInt(&value)))
    return std::nullopt;
  return value.getSExtValue();
}

/// Whether `op` or an op inside it may write memory.
bool mayWrite(Operation *op) {
  WalkResult walk = op->walk([](Operation *inner) {
    if (auto effects = llvm::dyn_cast<MemoryEffectOpInterface>(inner))
      return effects.hasEffect<MemoryEffects::Write>() ? WalkResult::interrupt()
                                                       : WalkResult::advance();
    return inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>() ? WalkResult::advance()
                                                                  : WalkResult::interrupt();
  });
  return walk.wasInterrupted();
}

/// The launch's threads communicate through the sums of top-level
/// `gpu.all_reduce add` ops only, and write no memory before the last one.
LogicalResult checkEmulatable(gpu::LaunchOp launch, ArrayRef<gpu::AllReduceOp> sums) {
  if (!launch.getBody().hasOneBlock())
    return launch.emitOpError("has more than one block");
  WalkResult walk = launch.getBody().walk([&](Operation *op) {
    auto reduce = llvm::dyn_cast<gpu::AllReduceOp>(op);
    bool topLevelSum = reduce && op->getParentOp() == launch && reduce.getOp() &&
                       *reduce.getOp() == gpu::AllReduceOperation::ADD &&
                       reduce.getBody().empty();
    if ((reduce && !topLevelSum) || llvm::isa<gpu::BarrierOp, gpu::ShuffleOp>(op))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return launch.emitOpError("has threads that communicate other than by block sums; they "
                              "cannot run one by one");
  if (sums.empty())
    return success();
  for (Operation &op : launch.getBody().front()) {
    if (&op == gpu::AllReduceOp(sums.back()).getOperation())
      break;
    if (!llvm::isa<gpu::AllReduceOp>(op) && mayWrite(&op))
      return op.emitOpError("writes memory before a block sum; the launch cannot run one "
                            "thread at a time");
  }
  return success();
}

/// Runs the launch as loops over its blocks and, in each, over its threads:
/// once per block sum, each thread running the body up to that sum and
/// adding its term to it, then once more with every sum known.
/// Block and thread ids and sizes of `launch` as the loops' values.
IRMapping threadMapping(gpu::LaunchOp launch, Value blockId, Value threadId, Value zero,
                       Value one) {
  IRMapping mapping;
  gpu::KernelDim3 blockIds = launch.getBlockIds(), threadIds = launch.getThreadIds(),
                  gridSizes = launch.getGridSize(), blockSizes = launch.getBlockSize();
  mapping.map(blockIds.x, blockId);
  mapping.map(threadIds.x, threadId);
  for (Value id : {blockIds.y, blockIds.z, threadIds.y, threadIds.z})
    mapping.map(id, zero);
  mapping.map(gridSizes.x, launch.getGridSizeX());
  mapping.map(blockSizes.x, launch.getBlockSizeX());
  for (Value size : {gridSizes.y, gridSizes.z, blockSizes.y, blockSizes.z})
    mapping.map(size, one);
  return mapping;
}

LogicalResult toLoops(gpu::LaunchOp launch) {
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues(),
                  block = launch.getBlockSizeOperandValues();
  for (Value size : {grid.y, grid.z, block.y, block.z})
    if (constantSize(size) != 1)
      return launch.emitOpError("is not one-dimensional");
  SmallVector<gpu::AllReduceOp> sums(launch.getBody().front().getOps<gpu::AllReduceOp>());
  if (failed(checkEmulatable(launch, sums)))
    return failure();
  OpBuilder b(launch);
  Location loc = launch.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> totals;
  for (gpu::AllReduceOp sum : sums)
    totals.push_back(memref::AllocaOp::create(b, loc, MemRefType::get({}, sum.getType())));
  auto blocks = scf::ForOp::create(b, loc, zero, grid.x, one);
  b.setInsertionPoint(blocks.getBody()->getTerminator());
  for (Value total : totals) {
    Type type = llvm::cast<MemRefType>(total.getType()).getElementType();
    Value zeroValue = arith::ConstantOp::create(b, loc, b.getZeroAttr(type));
    memref::StoreOp::create(b, loc, zeroValue, total, ValueRange());
  }
  for (size_t phase = 0; phase <= sums.size(); ++phase) {
    auto threads = scf::ForOp::create(b, loc, zero, block.x, one);
    OpBuilder inThread = OpBuilder::atBlockTerminator(threads.getBody());
    IRMapping mapping = threadMapping(launch, blocks.getInductionVar(), threads.getInductionVar(),
                                      zero, one);
    for (Operation &op : launch.getBody().front().without_terminator()) {
      auto sum = llvm::dyn_cast<gpu::AllReduceOp>(&op);
      if (!sum) {
        inThread.clone(op, mapping);
        continue;
      }
      size_t index = llvm::find(sums, sum) - sums.begin();
      Value total = totals[index];
      Value known = memref::LoadOp::create(inThread, loc, total, ValueRange());
      if (index < phase) {
        mapping.map(sum.getResult(), known);
        continue;
      }
      Value term = mapping.lookupOrDefault(sum.getValue());
      Value added = arith::AddFOp::create(inThread, loc, known, term);
      memref::StoreOp::create(inThread, loc, added, total, ValueRange());
      break;
    }
  }
  launch.erase();
  return success();
}

struct GpuLaunchesToLoops : marthe::impl::GpuLaunchesToLoopsBase<GpuLaunchesToLoops> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches)
      if (failed(toLoops(launch)))
        return signalPassFailure();
  }
};

} // namespace
