#pragma once

// The run's settings: the options compiled into the executable
// (RunOptions.h), then the command line's overrides.

#include "runtime/Abi.h"
#include "runtime/RunOptions.h"

#include <string>
#include <utility>
#include <vector>

namespace marthe::rt {

struct RunConfig : RunOptions {
  /// The optimizer kind and its resolved hyperparameters (a JSON object),
  /// and whether the hypergradient step is relative, as compiled in:
  /// recorded in summary.json, not changeable at run time.
  std::string optimizer = "sgd";
  std::string hyperparametersJson = "{}";
  bool relative = false;
  bool quiet = false;
  bool resume = false;    // continue from out/checkpoint.bin
  bool overwrite = false; // replace the outputs of another run in out
  /// The options given on the command line (flag, value), in order.
  std::vector<std::pair<std::string, std::string>> given;
};

/// The compile-time defaults of `program` (its embedded JSON).
RunConfig defaultRunConfig(const ProgramSpec &program);

/// The settings of a run as JSON (the options and what the program fixed),
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
