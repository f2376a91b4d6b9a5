// libFuzzer target: any bytes as an ONNX model, through the whole
// target-neutral compiler: import, the training pipeline (training step,
// hypergradient, reverse and forward AD, fusion) and the lowering to planned
// buffers. A model the importer accepts must compile or fail with a
// diagnostic; no pass may crash, hang or trip ASan/UBSan.

#include "frontend/OnnxImporter.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::DialectRegistry registry;
  marthe::registerMartheDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler quiet(&context, [](mlir::Diagnostic &) { return mlir::success(); });
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  marthe::ImportOptions options;
  options.batchSize = 4;
  options.requireParameters = true;
  auto module = marthe::importOnnxBytes(&context, bytes, "fuzz.onnx", options);
  if (!module) {
    llvm::consumeError(module.takeError());
    return 0;
  }
  mlir::PassManager pm(&context);
  marthe::buildTrainingPipeline(pm, marthe::TrainingPipelineOptions());
  marthe::buildTargetNeutralLowering(pm);
  (void)pm.run(**module);
  return 0;
}
