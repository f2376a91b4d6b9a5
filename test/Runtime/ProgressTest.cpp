#include "runtime/Progress.h"

#include <gtest/gtest.h>

namespace marthe::rt {
namespace {

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(Progress::formatDuration(0), "0:00");
  EXPECT_EQ(Progress::formatDuration(59.4), "0:59");
  EXPECT_EQ(Progress::formatDuration(61), "1:01");
  EXPECT_EQ(Progress::formatDuration(3600 + 2 * 60 + 3), "1:02:03");
  EXPECT_EQ(Progress::formatDuration(-5), "0:00");
}

// Quiet, nothing is written (stderr is checked by the lit tests).
TEST(Progress, QuietWritesNothing) {
  testing::internal::CaptureStderr();
  {
    Progress progress(0, 4, /*quiet=*/true);
    for (int64_t step = 0; step < 4; ++step)
      progress.stepDone(step, "step", true);
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

} // namespace
} // namespace marthe::rt
