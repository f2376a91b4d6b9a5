#pragma once

// The optimizer's part of a program beyond the step: the state it starts
// from (@init_optimizer) and the point evaluation and the written model use
// (@evaluation_point, schedule-free's average x).

#include "runtime/Program.h"

#include <optional>

namespace marthe::rt {

/// Sets the optimizer's state in `step` from its parameters with
/// @init_optimizer, where the program has one (state that does not start at
/// zero: copies of the parameters, d0, ...).
void initializeOptimizerState(const ProgramSpec &program, Function &step);

/// The model's tensors as evaluation sees them.
class EvaluationPoint {
public:
  EvaluationPoint(const ProgramSpec &program, Function &step);

  /// Recomputes the point from the step's current state.
  void update();
  /// The tensor with `role` (a parameter or a running statistic): the
  /// evaluation point's where the program has one, else the step's state.
  Tensor &tensor(const std::string &role);

private:
  Function &step_;
  std::optional<Function> point_;
};

} // namespace marthe::rt
