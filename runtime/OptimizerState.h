#pragma once

// The optimizer's part of a program beyond the step: the state it starts
// from (@init_optimizer) and the point evaluation and the written model use
// (@evaluation_point, schedule-free's average x, with the running statistics
// recomputed there by @evaluation_statistics).

#include "runtime/Batcher.h"
#include "runtime/Program.h"

#include <memory>
#include <optional>

namespace marthe::rt {

/// Sets the optimizer's state in `step` from its parameters with
/// @init_optimizer, where the program has one (state that does not start at
/// zero: copies of the parameters, d0, ...).
void initializeOptimizerState(const ProgramSpec &program, Function &step);

/// The model's tensors as evaluation sees them.
class EvaluationPoint {
public:
  /// `train`: the split whose first `statisticsBatches` batches (in order,
  /// not augmented) recompute the running statistics at the point.
  EvaluationPoint(const ProgramSpec &program, Function &step, const ImageSet &train,
                  int64_t statisticsBatches);

  /// Recomputes the point from the step's current state; with `statistics`,
  /// also the running statistics there (once per state of the step).
  void update(bool statistics);
  /// The step's state was replaced (a checkpoint, a rollback).
  void invalidate() { statisticsAt_.reset(); }
  /// The tensor with `role` (a parameter or a running statistic): the
  /// evaluation point's where the program has one, else the step's state.
  Tensor &tensor(const std::string &role);

private:
  void recomputeStatistics();

  Function &step_;
  std::optional<Function> point_, statistics_;
  std::unique_ptr<Batcher> batches_;
  TensorSpec labelSpec_{};
  std::optional<Tensor> labels_;
  int64_t statisticsBatches_;
  /// The step's run count the statistics were recomputed at, if current.
  std::optional<uint64_t> statisticsAt_;
  bool statisticsCurrent_ = false;
};

} // namespace marthe::rt
