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
