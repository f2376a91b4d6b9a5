#include "runtime/Divergence.h"

#include <cmath>
#include <cstdio>
#include <numeric>

namespace marthe::rt {

void DivergenceDetector::restart(const std::vector<MetricsRow> &rows) {
  recent_.clear();
  next_ = 0;
  size_t first = rows.size() > kWindow ? rows.size() - kWindow : 0;
  for (size_t i = first; i < rows.size(); ++i)
    remember(rows[i][kLoss]);
}

void DivergenceDetector::remember(double loss) {
  if (recent_.size() < kWindow)
    recent_.push_back(loss);
  else
    recent_[next_] = loss;
  next_ = (next_ + 1) % kWindow;
}

double DivergenceDetector::threshold() const {
  if (recent_.empty())
    return INFINITY;
  double mean = std::accumulate(recent_.begin(), recent_.end(), 0.0) / double(recent_.size());
  return std::max(kFactor * mean, mean + kMargin);
}

static std::string describe(const char *what, double value) {
  char text[96];
  std::snprintf(text, sizeof text, "%s is %g", what, value);
  return text;
}

std::string DivergenceDetector::check(const MetricsRow &row, bool hypergradient,
                                      std::initializer_list<double> scheduleValues) {
  static const std::pair<MetricsColumn, const char *> kChecked[] = {
      {kLoss, "the training loss"}, {kValLoss, "the validation loss"}, {kEta, "eta"},
      {kMu, "mu"}, {kBeta, "beta"}, {kC, "c"}, {kHypergrad, "the hypergradient"},
      {kG1, "g1"}};
  for (auto [column, what] : kChecked) {
    bool scheduleColumn = column != kLoss && column != kValLoss && column != kEta;
    if ((hypergradient || !scheduleColumn) && !std::isfinite(row[column]))
      return describe(what, row[column]);
  }
  for (double value : scheduleValues)
    if (!std::isfinite(value))
      return describe("the next eta or mu", value);
  double limit = threshold();
  if (row[kLoss] > limit) {
    char text[128];
    std::snprintf(text, sizeof text, "the training loss %g exploded (above %g, from the last %zu)",
                  row[kLoss], limit, recent_.size());
    return text;
  }
  remember(row[kLoss]);
  return {};
}

} // namespace marthe::rt
