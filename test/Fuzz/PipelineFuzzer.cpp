// libFuzzer target: any bytes as an ONNX model, through the whole
// target-neutral compiler: import, the training pipeline (training step,
// hypergradient, reverse and forward AD, fusion) and the lowering to planned
// buffers. A model the importer accepts must compile: the importer is where
// a model is refused, with the file and node named, so a pass that fails
// (even with a diagnostic) is a finding, as is any crash, hang or ASan/UBSan
// report. Inputs are mutated
// as models (test/Fuzz/OnnxMutator.cpp), so that most of them import.

#include "frontend/OnnxImporter.h"
#include "passes/Passes.h"
#include "test/Fuzz/OnnxMutator.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::DialectRegistry registry;
  marthe::registerMartheDialects(registry);
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler collect(&context, [&](mlir::Diagnostic &diagnostic) {
    diagnostics += diagnostic.str() + "\n";
    return mlir::success();
  });
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
  if (failed(pm.run(**module))) {
    std::fprintf(stderr, "an imported model failed to compile:\n%s", diagnostics.c_str());
    std::abort();
  }
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t maxSize,
                                          unsigned int seed) {
  return marthe::fuzz::mutateOnnxModel(data, size, maxSize, seed);
}
