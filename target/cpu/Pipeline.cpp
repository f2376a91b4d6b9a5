#include "target/cpu/CpuTarget.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace marthe {

void buildCpuLoweringPipeline(OpPassManager &pm) {
  pm.addPass(createOutlineLoopNests());
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerLibraryCallsToRuntime());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createArithToLLVMConversionPass());
  buildHostFunctionsToLLVM(pm);
}

void registerCpuTargetPasses() {
  registerCommonPasses();
  registerCpuPasses();
  PassPipelineRegistration<>("marthe-cpu-lowering",
                             "Lower planned buffers to the LLVM dialect for the CPU target",
                             buildCpuLoweringPipeline);
}

} // namespace marthe
