#include "runtime/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace marthe::rt;

namespace {

TEST(SoftmaxXent, MatchesHandComputedValues) {
  const double logits[] = {1.0, 2.0, 3.0, 0.0, 0.0, 0.0};
  const int32_t labels[] = {2, 0};
  double expected = (std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0 +
                     std::log(3.0)) / 2;
  EXPECT_NEAR(softmaxXent(logits, labels, 2, 3), expected, 1e-15);
  double grad[6];
  softmaxXentGrad(logits, labels, grad, 2, 3);
  EXPECT_NEAR(grad[3], (1.0 / 3 - 1) / 2, 1e-15);
  EXPECT_NEAR(grad[4], (1.0 / 3) / 2, 1e-15);
}

TEST(Matmul, HandlesTranspositions) {
  const float a[] = {1, 2, 3, 4, 5, 6}; // 2x3
  const float b[] = {1, 0, 0, 1, 1, 1}; // 3x2, or its transpose 2x3
  float c[4];
  matmul(a, b, c, 2, 2, 3, false, false);
  EXPECT_EQ(c[0], 1 + 3 + 0 * 2 + 0); // row 0: [1,2,3] . [1,0,1]
  EXPECT_EQ(c[1], 0 + 2 + 3);
  matmul(a, b, c, 2, 2, 3, false, true); // a (2x3) x b^T with b read as 2x3
  EXPECT_EQ(c[0], 1 * 1 + 2 * 0 + 3 * 0);
  EXPECT_EQ(c[1], 1 * 1 + 2 * 1 + 3 * 1);
}

} // namespace

namespace {

/// One 2x2 window over a 1x1x2x2 input.
double maxPool2x2(const double keys[4]) {
  double out = 0;
  marthe_rt_max_pool2d_f64(keys, keys, &out, 1, 1, 2, 2, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1);
  return out;
}

TEST(MaxPool, TakesTheLargestAndPropagatesNaN) {
  const double plain[] = {1.0, 4.0, -2.0, 3.0};
  EXPECT_EQ(maxPool2x2(plain), 4.0);
  const double nan = std::nan("");
  for (int at = 0; at < 4; ++at) {
    double keys[] = {1.0, 4.0, -2.0, 3.0};
    keys[at] = nan;
    EXPECT_TRUE(std::isnan(maxPool2x2(keys))) << "NaN at " << at;
  }
}

} // namespace
