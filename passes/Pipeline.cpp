#include "passes/Passes.h"

#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace marthe {

void buildTrainingPipeline(OpPassManager &pm, const TrainingPipelineOptions &options) {
  if (options.forwardOnly) {
    pm.addNestedPass<func::FuncOp>(createFuseElementwise());
    return;
  }
  pm.addPass(createDeriveTrainingStep(options.step));
  if (options.hypergradient)
    pm.addPass(createHypergradient(options.schedule));
  pm.addPass(createReverseAD());
  pm.addPass(createInlinerPass());
  pm.addPass(createForwardAD());
  pm.addPass(createInlinerPass());
  pm.addPass(createSymbolDCEPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createFuseElementwise());
}

namespace {
struct PipelineCliOptions : public PassPipelineOptions<PipelineCliOptions> {
  Option<std::string> optimizer{*this, "optimizer", llvm::cl::init("sgd")};
  Option<double> weightDecay{*this, "weight-decay", llvm::cl::init(0.0)};
  Option<bool> hypergradient{*this, "hypergradient", llvm::cl::init(true)};
  Option<bool> adaptiveMu{*this, "adaptive-mu", llvm::cl::init(true)};
  Option<bool> zeroMu{*this, "zero-mu", llvm::cl::init(false)};
  Option<bool> exportDerivatives{*this, "export-derivatives", llvm::cl::init(false)};
};
} // namespace

void registerAllMarthePasses() {
  registerMarthePasses();
  PassPipelineRegistration<PipelineCliOptions>(
      "marthe-training-pipeline",
      "Derive the training step, the MARTHE step, lower AD requests and fuse",
      [](OpPassManager &pm, const PipelineCliOptions &cli) {
        TrainingPipelineOptions options;
        options.step.optimizer = cli.optimizer;
        options.step.weightDecay = cli.weightDecay;
        options.step.exportDerivatives = cli.exportDerivatives;
        options.hypergradient = cli.hypergradient;
        options.schedule.adaptiveMu = cli.adaptiveMu;
        options.schedule.zeroMu = cli.zeroMu;
        buildTrainingPipeline(pm, options);
      });
}

void registerMartheDialects(DialectRegistry &registry) {
  registry.insert<MartheDialect, func::FuncDialect>();
  func::registerInlinerExtension(registry);
}

} // namespace marthe
