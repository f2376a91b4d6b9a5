#pragma once

// A run whose training loss does not move (issue 24): a model that predicts
// every class alike (a dead initialization, all-zero weights) keeps its loss
// at ln(classes) step after step, which no divergence check reports.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace marthe::rt {

class StallDetector {
public:
  /// The warning to print, once a run's last kWindow training losses all lie
  /// within kSpread (relative) of each other; empty before and after.
  std::string check(double loss, int64_t classes);

  static constexpr size_t kWindow = 64;
  /// Mini-batches of a model that learns differ by far more (1e-2 and up);
  /// those of one that predicts alike by what its last bias learns (4e-4).
  static constexpr double kSpread = 2e-3;

private:
  std::deque<double> recent_;
  bool warned_ = false;
};

} // namespace marthe::rt
