#pragma once

// Everything a run needs to continue where it stopped: the compiled step's
// arguments (state, tangents, schedule scalars) by role, the metrics so far,
// and where the beta_step selection stands.

#include "runtime/Metrics.h"

#include <cstdint>
#include <string>
#include <vector>

namespace marthe::rt {

struct Checkpoint {
  int64_t nextStep = 0;
  double betaStep = 0;
  int64_t restarts = 0;
  double firstLoss = 0;
  double stepSeconds = 0; // time spent in the steps so far
  std::vector<MetricsRow> rows; // metrics.csv rows of steps [0, nextStep)
  std::vector<std::pair<std::string, std::vector<unsigned char>>> tensors;
};

/// Writes `checkpoint` to `path` atomically.
void writeCheckpoint(const std::string &path, const Checkpoint &checkpoint);

/// Reads a checkpoint; throws Error naming `path` if it is not one.
Checkpoint readCheckpoint(const std::string &path);

} // namespace marthe::rt
