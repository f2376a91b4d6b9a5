// marthe-gpu-merge-kernel-modules: every outlined kernel in one gpu.module.

#include "target/cuda/CudaTarget.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/ADT/StringMap.h"

namespace marthe {
#define GEN_PASS_DEF_GPUMERGEKERNELMODULES
#include "target/cuda/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

constexpr StringLiteral kKernelModule = "marthe_kernels";

/// The merged name of kernel `fn` of `module`: outlining names each
/// module after its kernel, so the module's name is unique.
std::string mergedName(gpu::GPUModuleOp module, gpu::GPUFuncOp fn, size_t kernelsInModule) {
  if (kernelsInModule == 1)
    return module.getName().str();
  return (module.getName() + "_" + fn.getName()).str();
}

struct GpuMergeKernelModules
    : marthe::impl::GpuMergeKernelModulesBase<GpuMergeKernelModules> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUModuleOp> kernelModules(module.getOps<gpu::GPUModuleOp>());
    if (kernelModules.empty())
      return;
    MLIRContext *context = module.getContext();
    OpBuilder builder(context);
    builder.setInsertionPoint(kernelModules.front());
    auto merged = gpu::GPUModuleOp::create(builder, module.getLoc(), kKernelModule);
    llvm::StringMap<std::string> renamed; // "module::kernel" -> merged name
    for (gpu::GPUModuleOp old : kernelModules) {
      SmallVector<gpu::GPUFuncOp> kernels(old.getOps<gpu::GPUFuncOp>());
      if (kernels.size() != old.getBody()->getOperations().size()) {
        old.emitOpError("holds more than kernels; marthe-gpu-merge-kernel-modules merges "
                        "outlined kernels only");
        return signalPassFailure();
      }
      for (gpu::GPUFuncOp kernel : kernels) {
        std::string name = mergedName(old, kernel, kernels.size());
        renamed[(old.getName() + "::" + kernel.getName()).str()] = name;
        kernel.setName(name);
        kernel->moveBefore(merged.getBody(), merged.getBody()->end());
      }
      old.erase();
    }
    WalkResult walk = module.walk([&](gpu::LaunchFuncOp launch) {
      auto found =
          renamed.find((launch.getKernelModuleName().getValue() + "::" +
                         launch.getKernelName().getValue())
                            .str());
      if (found == renamed.end()) {
        launch.emitOpError("launches a kernel that is not in a gpu.module");
        return WalkResult::interrupt();
      }
      SmallVector<FlatSymbolRefAttr> nested{FlatSymbolRefAttr::get(context, found->second)};
      launch.setKernelAttr(
          SymbolRefAttr::get(StringAttr::get(context, kKernelModule), nested));
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
