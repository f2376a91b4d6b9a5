#pragma once

// When a run has diverged (issue 8): a row with a non-finite value the step
// computed, or a training loss that explodes relative to recent losses.
// Non-finite weights need no check of their own: the validation loss every
// step computes is evaluated at the updated weights.

#include "runtime/Metrics.h"

#include <string>
#include <vector>

namespace marthe::rt {

class DivergenceDetector {
public:
  /// Recent losses are the training losses of `rows` (a resumed or rolled
  /// back run continues from its rows).
  void restart(const std::vector<MetricsRow> &rows);

  /// Why `row` shows divergence (empty if it does not); `scheduleValues`
  /// are the schedule's next values, which must be finite too. A row that
  /// does not diverge joins the recent losses.
  std::string check(const MetricsRow &row, bool hypergradient,
                    std::initializer_list<double> scheduleValues);

  /// The explosion threshold for the recent losses so far: a loss above
  /// max(kFactor * mean, mean + kMargin) of the last kWindow losses.
  double threshold() const;

  static constexpr size_t kWindow = 32;
  static constexpr double kFactor = 5.0, kMargin = 2.0;

private:
  void remember(double loss);
  std::vector<double> recent_;
  size_t next_ = 0;
};

} // namespace marthe::rt
