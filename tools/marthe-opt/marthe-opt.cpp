#include "passes/Passes.h"
#include "target/cpu/CpuTarget.h"
#include "target/cuda/CudaTarget.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  marthe::registerMartheDialects(registry);
  marthe::registerAllMarthePasses();
  marthe::registerCudaTargetInterfaces(registry);
  marthe::registerCpuTargetPasses();
  marthe::registerCudaTargetPasses();
  mlir::registerGPUPasses();
  mlir::registerTransformsPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "marthe optimizer driver\n", registry));
}
