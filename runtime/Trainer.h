#pragma once

// The training loop around the compiled functions: data, schedules, the
// beta-step selection of MARTHE, evaluation and outputs.

#include "runtime/Abi.h"
#include "runtime/RunConfig.h"

namespace marthe::rt {

/// Trains and writes metrics.csv, summary.json, model.onnx and schedule.svg
/// under config.out.
void train(const ProgramSpec &program, RunConfig config);

} // namespace marthe::rt
