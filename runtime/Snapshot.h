#pragma once

// Copies of the compiled step's state (weights, optimizer buffers, tangents,
// schedule scalars): what a checkpoint stores and a rollback returns to. The
// batch inputs are not state: a run refills them from the step number.

#include "runtime/Program.h"

#include <string>
#include <utility>
#include <vector>

namespace marthe::rt {

using StateTensors = std::vector<std::pair<std::string, std::vector<unsigned char>>>;

/// Whether `role` is an argument the runtime fills for each step.
bool isBatchInput(const std::string &role);

StateTensors copyState(Function &fn);

/// Writes `state` back; throws Error when a tensor does not fit `fn`
/// (`what` names where the state came from).
void restoreState(Function &fn, const StateTensors &state, const std::string &what);

} // namespace marthe::rt
