#include "passes/Passes.h"

#include "passes/BufferizableLibraryOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
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

void buildBufferizationPipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.addResultAttribute = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
}

void buildTargetNeutralLowering(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createLowerToLibraryCalls());
  pm.addNestedPass<func::FuncOp>(createLowerToLinalg());
  pm.addPass(createLinalgElementwiseOpFusionPass());
  buildBufferizationPipeline(pm);
  pm.addPass(createPlanMemory());
}

namespace {
struct PipelineCliOptions : public PassPipelineOptions<PipelineCliOptions> {
  Option<Optimizer> optimizer{*this, "optimizer", llvm::cl::desc("the optimizer"),
                              llvm::cl::init(Optimizer::SGD), optimizerValues()};
  Option<double> weightDecay{*this, "weight-decay", llvm::cl::init(0.0)};
  ListOption<std::string> hyperparameters{
      *this, "hyperparameters", llvm::cl::desc("the optimizer's hyperparameters as name=value")};
  Option<bool> hypergradient{*this, "hypergradient", llvm::cl::init(true)};
  Option<MuMode> mu{
      *this, "mu", llvm::cl::desc("how mu is treated"), llvm::cl::init(MuMode::Adaptive),
      llvm::cl::values(clEnumValN(MuMode::Adaptive, "adaptive", "adapted online (MARTHE)"),
                       clEnumValN(MuMode::Fixed, "fixed", "a runtime input"),
                       clEnumValN(MuMode::Zero, "zero", "0: A Z is never built"))};
  Option<bool> relative{*this, "relative", llvm::cl::init(false)};
  Option<bool> exportDerivatives{*this, "export-derivatives", llvm::cl::init(false)};
  Option<bool> forwardOnly{*this, "forward-only", llvm::cl::init(false)};
};
} // namespace

void registerAllMarthePasses() {
  registerMarthePasses();
  PassPipelineRegistration<PipelineCliOptions>(
      "marthe-training-pipeline",
      "Derive the training step, the MARTHE step, lower AD requests and fuse",
      [](OpPassManager &pm, const PipelineCliOptions &cli) {
        TrainingPipelineOptions options;
        options.forwardOnly = cli.forwardOnly;
        options.step.optimizer = cli.optimizer;
        options.step.weightDecay = cli.weightDecay;
        options.step.hyperparameters.assign(cli.hyperparameters.begin(), cli.hyperparameters.end());
        options.step.exportDerivatives = cli.exportDerivatives;
        options.hypergradient = cli.hypergradient;
        options.schedule.muMode = cli.mu;
        options.schedule.relative = cli.relative;
        buildTrainingPipeline(pm, options);
      });
  PassPipelineRegistration<>("marthe-bufferize",
                             "One-shot bufferization with results as out-parameters",
                             buildBufferizationPipeline);
  PassPipelineRegistration<>(
      "marthe-target-neutral-lowering",
      "Library calls, loop nests, bufferization and the memory plan shared by all targets",
      buildTargetNeutralLowering);
}

void registerMartheDialects(DialectRegistry &registry) {
  registry.insert<MartheDialect, func::FuncDialect, arith::ArithDialect, math::MathDialect,
                  linalg::LinalgDialect, tensor::TensorDialect, memref::MemRefDialect,
                  bufferization::BufferizationDialect, scf::SCFDialect, cf::ControlFlowDialect,
                  LLVM::LLVMDialect>();
  func::registerInlinerExtension(registry);
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(registry);
  registerBufferizableLibraryOps(registry);
}

} // namespace marthe
