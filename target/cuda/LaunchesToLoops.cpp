// marthe-gpu-launches-to-loops: gpu.launch -> host loops over blocks and
// threads, to run the GPU mapping on the CPU in tests.

#include "target/cuda/CudaTarget.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

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

LogicalResult toLoops(gpu::LaunchOp launch) {
  bool communicates = false;
  launch.getBody().walk([&](Operation *op) {
    communicates |= llvm::isa<gpu::AllReduceOp, gpu::BarrierOp, gpu::ShuffleOp>(op);
  });
  if (communicates)
    return launch.emitOpError("has threads that communicate; they cannot run one by one");
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues(),
                  block = launch.getBlockSizeOperandValues();
  for (Value size : {grid.y, grid.z, block.y, block.z})
    if (constantSize(size) != 1)
      return launch.emitOpError("is not one-dimensional");
  OpBuilder b(launch);
  Location loc = launch.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto blocks = scf::ForOp::create(b, loc, zero, grid.x, one);
  b.setInsertionPoint(blocks.getBody()->getTerminator());
  auto threads = scf::ForOp::create(b, loc, zero, block.x, one);
  b.setInsertionPoint(threads.getBody()->getTerminator());
  IRMapping mapping;
  gpu::KernelDim3 blockIds = launch.getBlockIds(), threadIds = launch.getThreadIds(),
                  gridSizes = launch.getGridSize(), blockSizes = launch.getBlockSize();
  mapping.map(blockIds.x, blocks.getInductionVar());
  mapping.map(threadIds.x, threads.getInductionVar());
  for (Value id : {blockIds.y, blockIds.z, threadIds.y, threadIds.z})
    mapping.map(id, zero);
  mapping.map(gridSizes.x, grid.x);
  mapping.map(blockSizes.x, block.x);
  for (Value size : {gridSizes.y, gridSizes.z, blockSizes.y, blockSizes.z})
    mapping.map(size, one);
  if (!launch.getBody().hasOneBlock())
    return launch.emitOpError("has more than one block");
  for (Operation &op : launch.getBody().front().without_terminator())
    b.clone(op, mapping);
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
