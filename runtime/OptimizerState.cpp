#include "runtime/OptimizerState.h"

namespace marthe::rt {

/// Copies the step's state into `fn`'s arguments of the same roles.
static void bindState(Function &fn, Function &step) {
  for (Tensor &arg : fn.args())
    if (step.hasArg(arg.spec->role))
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

EvaluationPoint::EvaluationPoint(const ProgramSpec &program, Function &step,
                                 const ImageSet &train, int64_t statisticsBatches)
    : step_(step), statisticsBatches_(statisticsBatches) {
  if (const FunctionSpec *spec = findFunction(program, "evaluation_point"))
    point_.emplace(*spec, program.device);
  const FunctionSpec *statistics = findFunction(program, "evaluation_statistics");
  if (!point_ || !statistics || statisticsBatches <= 0)
    return;
  statistics_.emplace(*statistics, program.device);
  labelSpec_ = TensorSpec{"labels", DType::I32, 1, {statistics_->arg("input").spec->dims[0]}};
  labels_.emplace(labelSpec_);
  batches_ = std::make_unique<Batcher>(train, /*shuffle=*/false, 0);
}

void EvaluationPoint::update(bool statistics) {
  statisticsCurrent_ = false;
  if (!point_)
    return;
  bindState(*point_, step_);
  point_->call();
  if (!statistics || !statistics_)
    return;
  if (statisticsAt_ != step_.runs())
    recomputeStatistics();
  statisticsAt_ = step_.runs();
  statisticsCurrent_ = true;
}

/// The package's recipe: training-mode forward passes at x over training
/// batches, each folding its batch's statistics into the running ones with
/// the model's momentum, from the step's running statistics.
void EvaluationPoint::recomputeStatistics() {
  bindState(*statistics_, step_);
  for (Tensor &arg : statistics_->args())
    if (point_->hasResult(arg.spec->role))
      arg.assign(point_->result(arg.spec->role));
  for (int64_t k = 0; k < statisticsBatches_; ++k) {
    batches_->fill(k, statistics_->arg("input"), *labels_);
    if (statistics_->hasArg("dropout_key"))
      statistics_->arg("dropout_key").set(0, double(k));
    statistics_->call();
    statistics_->feedBack();
  }
}

Tensor &EvaluationPoint::tensor(const std::string &role) {
  if (statisticsCurrent_ && statistics_->hasResult(role))
    return statistics_->arg(role);
  return point_ && point_->hasResult(role) ? point_->result(role) : step_.arg(role);
}

} // namespace marthe::rt
