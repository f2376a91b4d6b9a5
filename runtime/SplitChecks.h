#pragma once

// The data splits of a run, checked against each other and the compiled
// model before any training: batch-sized splits, one sample shape, the
// model's, and a warning for a validation split that overlaps the training
// split.

#include "runtime/Abi.h"
#include "runtime/Dataset.h"
#include "runtime/RunConfig.h"

namespace marthe::rt {

/// Throws Error naming the split (and its option) at fault; warns on stderr
/// about overlapping training and validation splits.
void checkSplits(const ProgramSpec &program, const RunConfig &config, const ImageSet &train,
                 const ImageSet &validation, const ImageSet &test);

} // namespace marthe::rt
