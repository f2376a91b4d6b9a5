#pragma once

#include <string>
#include <vector>

namespace marthe::rt {

/// One named series of a plot panel, one value per step (NaN values are skipped).
struct Series {
  std::string name;
  std::vector<double> values;
};

/// Writes an SVG with one panel per entry of `panels` that has a finite value
/// (stacked, shared step axis), atomically.
void writeSchedulePlot(const std::string &path, const std::string &title,
                       const std::vector<std::vector<Series>> &panels);

} // namespace marthe::rt
