#pragma once

// What marthe-compile learns of a data set without reading it all: the
// shape of one sample, from the files' headers. Safe to call from code
// built without exceptions.

#include "runtime/Dataset.h"

#include <string>
#include <vector>

namespace marthe::rt {

/// The shape of one training sample of `source` in `shape`; an empty string,
/// or why it cannot be known (a missing file, a malformed header).
std::string probeSampleShape(const DataSource &source, std::vector<int64_t> &shape) noexcept;

} // namespace marthe::rt
