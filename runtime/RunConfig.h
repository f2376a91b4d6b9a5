#pragma once

// The run's settings: the defaults compiled into the executable, then the
// command line's overrides.

#include "runtime/Abi.h"
#include "runtime/Dataset.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace marthe::rt {

struct RunConfig {
  DataSource data;
  Preprocessing augment;
  std::string train, validation, test, order, validationOrder, schedule, out;
  int64_t steps = 512, logEvery = 16, decaySteps = 100, sgdrT0 = 100;
  /// Training batches that recompute the running statistics at the
  /// evaluation point (schedule-free models with BatchNormalization).
  int64_t statisticsBatches = 50;
  uint64_t seed = 0;
  double eta0 = 0.01, beta0 = 0, decay = 0.99, sgdrTMult = 2;
  std::optional<double> betaStep; // nullopt: "auto"
  std::optional<double> mu;       // nullopt: adaptive
  /// The optimizer kind and its resolved hyperparameters (a JSON object),
  /// as compiled in: recorded in summary.json, not changeable at run time.
  std::string optimizer = "sgd";
  std::string hyperparametersJson = "{}";
  /// Whether the hypergradient step is relative ([schedule] relative).
  bool relative = false;
  bool seededInit = false;
  bool quiet = false;
  bool resume = false;    // continue from out/checkpoint.bin
  bool overwrite = false; // replace the outputs of another run in out
  /// The options given on the command line (--steps, ...), in order.
  std::vector<std::string> given;
  /// What beta_step = "auto" does on a divergence (docs/NOTES.md, issue 8):
  /// roll back to the latest snapshot or the one before it, divide
  /// beta_step by betaStepCut, optionally reset beta to beta0.
  std::string rollbackTo = "previous";
  double betaStepStart = 1e-5; // where "auto" starts
  double betaStepCut = 10;
  bool resetBeta = true;
};

/// The compile-time defaults of `program` (its embedded JSON).
RunConfig defaultRunConfig(const ProgramSpec &program);

/// The settings of a run as JSON (the compiled-in keys and the run's own),
/// for checkpoints and summary.json, and back.
std::string runConfigToJson(const RunConfig &config);
RunConfig runConfigFromJson(const std::string &json);

/// The fingerprint marthe-compile gave `program` (its step, model and
/// defaults); "" for a program compiled without one (unit tests).
std::string buildFingerprint(const ProgramSpec &program);

/// Applies `--flag value` overrides; throws Error naming a bad flag.
void applyCommandLine(RunConfig &config, int argc, char **argv);

/// Throws Error for values the run cannot use with this program.
void validateRunConfig(const ProgramSpec &program, const RunConfig &config);

/// marthe, hd and rtho: schedules that run the compiled marthe_step.
bool isHypergradientSchedule(const std::string &kind);

} // namespace marthe::rt
