#pragma once

// Who owns an output directory: a new run refuses one that holds another
// run's outputs, and --resume continues the run of the checkpoint there with
// that run's build and options.

#include "runtime/Abi.h"
#include "runtime/Checkpoint.h"
#include "runtime/RunConfig.h"

#include <optional>

namespace marthe::rt {

/// The checkpoint `config.out` holds, when --resume is given and there is
/// one. The run then takes the checkpoint's options: an option given again
/// must have the value the run had, except the locations (--out,
/// --data-dir), --steps (a run may be extended), --log-every and --quiet. A
/// checkpoint of another build of the trainer is refused.
std::optional<Checkpoint> resumeRun(const ProgramSpec &program, RunConfig &config);

/// Refuses to start a run in a directory that holds another run's outputs
/// unless --overwrite; with it, removes them first.
void claimOutputDirectory(const RunConfig &config);

/// checkpoint.bin in the run's directory.
std::string checkpointPath(const RunConfig &config);

} // namespace marthe::rt
