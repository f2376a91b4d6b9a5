#include "target/cuda/CudaTarget.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/TargetSelect.h"

using namespace mlir;

namespace marthe {

namespace {

/// The chip of the PTX: ptxas compiles it for that GPU and newer ones. A
/// name that is not sm_NN is left for marthe-gpu-pack-fatbin to report.
std::string lowestChip(ArrayRef<std::string> chips) {
  if (std::optional<unsigned> lowest = lowestGpuChip(chips))
    return "sm_" + std::to_string(*lowest);
  return chips.empty() ? "" : chips.front();
}

void buildKernelLowering(OpPassManager &pm, const CudaLoweringOptions &options) {
  pm.addPass(createGpuSplitReductions());
  pm.addPass(createGpuMapLoopNests());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createGpuMergeKernelModules());
  LowerLibraryCallsToRuntimeOptions library;
  library.runtime = "cuda";
  pm.addPass(createLowerLibraryCallsToRuntime(library));
  pm.addPass(createGpuStreamLaunches());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = lowestChip(options.chips);
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.useBarePtrCallConv = true;
  kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
}

void buildHostLowering(OpPassManager &pm) {
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  GpuToLLVMConversionPassOptions launches;
  launches.hostBarePtrCallConv = true;
  launches.kernelBarePtrCallConv = true;
  pm.addPass(createGpuToLLVMConversionPass(launches));
  buildHostFunctionsToLLVM(pm);
}

struct CudaPipelineCliOptions : public PassPipelineOptions<CudaPipelineCliOptions> {
  ListOption<std::string> chips{*this, "chips",
                                llvm::cl::desc("the GPU architectures of the cubins (default: "
                                               "sm_80,sm_86,sm_89,sm_90)")};
  Option<std::string> toolkit{*this, "toolkit",
                              llvm::cl::desc("the CUDA toolkit (ptxas, fatbinary, libdevice)"),
                              llvm::cl::init("")};
  Option<std::string> format{*this, "format",
                             llvm::cl::desc("fatbin (a cubin per chip + PTX), bin (a cubin "
                                            "for the lowest chip) or isa (PTX)"),
                             llvm::cl::init("fatbin")};
};

} // namespace

void buildCudaLoweringPipeline(OpPassManager &pm, const CudaLoweringOptions &options) {
  buildKernelLowering(pm, options);
  buildHostLowering(pm);
  bool fatbin = options.format == "fatbin";
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = options.toolkit;
  binary.compilationTarget = fatbin ? "isa" : options.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  if (fatbin) {
    GpuPackFatbinOptions pack;
    pack.chips.assign(options.chips.begin(), options.chips.end());
    pack.toolkit = options.toolkit;
    pm.addPass(createGpuPackFatbin(pack));
  }
}

void registerCudaTargetInterfaces(DialectRegistry &registry) {
  registry.insert<gpu::GPUDialect, NVVM::NVVMDialect>();
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  // gpu-module-to-binary translates the kernels to LLVM IR for NVPTX.
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  // convert-gpu-to-nvvm converts what the kernels hold through these.
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  LLVMInitializeNVPTXTargetInfo();
  LLVMInitializeNVPTXTarget();
  LLVMInitializeNVPTXTargetMC();
  LLVMInitializeNVPTXAsmPrinter();
}

void registerCudaTargetPasses() {
  registerCudaPasses();
  PassPipelineRegistration<CudaPipelineCliOptions>(
      "marthe-cuda-lowering",
      "Lower planned buffers to host LLVM dialect code launching NVVM kernels of a gpu.binary",
      [](OpPassManager &pm, const CudaPipelineCliOptions &cli) {
        CudaLoweringOptions options;
        if (!cli.chips.empty())
          options.chips.assign(cli.chips.begin(), cli.chips.end());
        options.toolkit = cli.toolkit;
        options.format = cli.format;
        buildCudaLoweringPipeline(pm, options);
      });
}

} // namespace marthe
