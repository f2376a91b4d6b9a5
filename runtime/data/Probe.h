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

// From the readers: the sample shape in an image file's header (throw Error),
// and the file of an IDX data set's part (`dir/stem.gz` or `dir/stem`).
std::vector<int64_t> idxSampleShape(const std::string &path);
std::vector<int64_t> npySampleShape(const std::string &path);
std::string idxFile(const std::string &dir, const std::string &stem);

} // namespace marthe::rt
