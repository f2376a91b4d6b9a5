#include "passes/Passes.h"
#include "target/cpu/CpuTarget.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  marthe::registerMartheDialects(registry);
  marthe::registerAllMarthePasses();
  marthe::registerCpuTargetPasses();
  mlir::registerTransformsPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "marthe optimizer driver\n", registry));
}
