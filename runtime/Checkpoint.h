#pragma once

// Everything a run needs to continue where it stopped: the build and options
// it ran with, the compiled step's arguments (state, tangents, schedule
// scalars) by role, the metrics so far, and where the beta_step selection
// stands. Nothing the run can recompute (no data batches).

#include "runtime/Metrics.h"

#include <cstdint>
#include <string>
#include <vector>

namespace marthe::rt {

/// A divergence at `step` sent the run back to the snapshot before step
/// `resumedAt`, with beta_step cut from `betaStepBefore` to `betaStepAfter`.
struct Rollback {
  int64_t step = 0, resumedAt = 0;
  double betaStepBefore = 0, betaStepAfter = 0;
};

struct Checkpoint {
  std::string build;   // the fingerprint of the executable that wrote it
  std::string options; // the run's resolved options (runConfigToJson)
  int64_t nextStep = 0;
  double betaStep = 0;
  std::vector<Rollback> rollbacks;
  double stepSeconds = 0; // time spent in the steps so far
  std::vector<MetricsRow> rows; // metrics.csv rows of steps [0, nextStep)
  std::vector<std::pair<std::string, std::vector<unsigned char>>> tensors;
};

/// Writes `checkpoint` to `path` atomically.
void writeCheckpoint(const std::string &path, const Checkpoint &checkpoint);

/// Reads a checkpoint; throws Error naming `path` if it is not one.
Checkpoint readCheckpoint(const std::string &path);

/// A checkpoint from its bytes; `path` names it in errors.
Checkpoint parseCheckpoint(std::string bytes, const std::string &path);

} // namespace marthe::rt
