// marthe-gpu-stream-launches: the launches of a function in order on one
// stream, the runtime's.

#include "target/cuda/CudaTarget.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace marthe {
#define GEN_PASS_DEF_GPUSTREAMLAUNCHES
#include "target/cuda/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

struct GpuStreamLaunches : marthe::impl::GpuStreamLaunchesBase<GpuStreamLaunches> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      SmallVector<gpu::LaunchFuncOp> launches;
      fn.walk([&](gpu::LaunchFuncOp launch) { launches.push_back(launch); });
      if (launches.empty())
        continue;
      if (llvm::any_of(launches, [&](gpu::LaunchFuncOp launch) {
            return launch->getBlock() != &fn.getBody().front() || launch.getAsyncToken() ||
                   launch.getAsyncObject();
          })) {
        fn.emitOpError("has launches in regions or with their own streams; "
                       "marthe-gpu-stream-launches chains the top-level synchronous ones");
        return signalPassFailure();
      }
      OpBuilder b = OpBuilder::atBlockBegin(&fn.getBody().front());
      Type tokenType = gpu::AsyncTokenType::get(fn.getContext());
      Value token = gpu::WaitOp::create(b, fn.getLoc(), tokenType, ValueRange()).getAsyncToken();
      for (gpu::LaunchFuncOp launch : launches) {
        b.setInsertionPoint(launch);
        std::optional<gpu::KernelDim3> cluster;
        if (launch.hasClusterSize())
          cluster = launch.getClusterSizeOperandValues();
        auto chained = gpu::LaunchFuncOp::create(
            b, launch.getLoc(), launch.getKernelAttr(), launch.getGridSizeOperandValues(),
            launch.getBlockSizeOperandValues(), launch.getDynamicSharedMemorySize(),
            launch.getKernelOperands(), tokenType, ValueRange{token},
            cluster);
        token = chained.getAsyncToken();
        launch.erase();
      }
    }
  }
};

} // namespace
