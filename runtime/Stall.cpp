#include "runtime/Stall.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace marthe::rt {

std::string StallDetector::check(double loss, int64_t classes) {
  if (warned_ || !std::isfinite(loss))
    return "";
  recent_.push_back(loss);
  if (recent_.size() > kWindow)
    recent_.pop_front();
  auto [low, high] = std::minmax_element(recent_.begin(), recent_.end());
  if (recent_.size() < kWindow || *high - *low > kSpread * std::abs(*high))
    return "";
  warned_ = true;
  char text[320];
  std::snprintf(text, sizeof text,
                "the training loss has stayed at %.6g for %zu steps (ln %lld = %.6g is the loss "
                "of a model that predicts every class alike): check the initial weights "
                "([run] init), eta0 and the data",
                loss, kWindow, (long long)classes, std::log(double(classes)));
  return text;
}

} // namespace marthe::rt
