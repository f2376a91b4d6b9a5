#ifndef MARTHE_PASSES_PASSES_H
#define MARTHE_PASSES_PASSES_H

#include "dialect/MartheOps.h"
#include "dialect/OptimizerKinds.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace marthe {

/// How marthe-hypergradient treats mu (the discount of the tangent).
enum class MuMode { Adaptive, Fixed, Zero };

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Options of the whole training pipeline (the tool fills them from TOML).
struct TrainingPipelineOptions {
  /// Only @forward (inference): no training step, no AD.
  bool forwardOnly = false;
  DeriveTrainingStepOptions step;
  bool hypergradient = true;
  HypergradientOptions schedule;
};

/// Adds import-to-emission passes: training step, hypergradient, reverse and
/// forward AD with inlining and cleanup between them, then fusion.
void buildTrainingPipeline(mlir::OpPassManager &pm,
                           const TrainingPipelineOptions &options);

/// One-shot bufferization of whole functions, results as out-parameters.
void buildBufferizationPipeline(mlir::OpPassManager &pm);

/// From fused tensor code to planned buffers, for every target: library-call
/// ops, linalg loop nests, bufferization and the static memory plan.
void buildTargetNeutralLowering(mlir::OpPassManager &pm);

/// Registers the marthe passes and the `marthe-training-pipeline` pipeline.
void registerAllMarthePasses();

/// Dialects the marthe tools load.
void registerMartheDialects(mlir::DialectRegistry &registry);

} // namespace marthe

#endif // MARTHE_PASSES_PASSES_H
