#include "runtime/OptimizerState.h"

namespace marthe::rt {

/// Copies the step's state into `fn`'s arguments of the same roles.
static void bindState(Function &fn, Function &step) {
  for (Tensor &arg : fn.args())
    arg.assign(step.arg(arg.spec->role));
}

void initializeOptimizerState(const ProgramSpec &program, Function &step) {
  const FunctionSpec *spec = findFunction(program, "init_optimizer");
  if (!spec)
    return;
  Function init(*spec, program.device);
  bindState(init, step);
  init.call();
  for (Tensor &result : init.results())
    step.arg(result.spec->role).assign(result);
}

EvaluationPoint::EvaluationPoint(const ProgramSpec &program, Function &step) : step_(step) {
  if (const FunctionSpec *spec = findFunction(program, "evaluation_point"))
    point_.emplace(*spec, program.device);
}

void EvaluationPoint::update() {
  if (!point_)
    return;
  bindState(*point_, step_);
  point_->call();
}

Tensor &EvaluationPoint::tensor(const std::string &role) {
  return point_ && point_->hasResult(role) ? point_->result(role) : step_.arg(role);
}

} // namespace marthe::rt
