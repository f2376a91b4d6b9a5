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
  target.chip = options.chip;
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
  Option<std::string> chip{*this, "chip", llvm::cl::desc("the GPU architecture of the cubin"),
                           llvm::cl::init("sm_90")};
  Option<std::string> toolkit{*this, "toolkit",
                              llvm::cl::desc("the CUDA toolkit (ptxas, fatbinary, libdevice)"),
                              llvm::cl::init("")};
  Option<std::string> format{*this, "format",
                             llvm::cl::desc("fatbin (cubin + PTX), bin (cubin) or isa (PTX)"),
                             llvm::cl::init("fatbin")};
};

} // namespace

void buildCudaLoweringPipeline(OpPassManager &pm, const CudaLoweringOptions &options) {
  buildKernelLowering(pm, options);
  buildHostLowering(pm);
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = options.toolkit;
  binary.compilationTarget = options.format;
  pm.addPass(createGpuModuleToBinaryPass(binary));
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
        buildCudaLoweringPipeline(pm, {cli.chip, cli.toolkit, cli.format});
      });
}

} // namespace marthe
