#include "runtime/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace marthe::rt;

namespace {

TEST(ScheduleUpdate, FollowsDesignEquations) {
  // beta' = max(beta + alpha hg hg_prev, 0); eta' = max(eta - beta' hg, 0);
  // q = clip(hg g1 / g1^2, 0, 1); mu' = q^(1/(c+1)); c' = mu (1 + c).
  double eta, beta, mu, c;
  scheduleUpdate<double>(0.1, 0.01, 0.5, 2.0, -3.0, -2.0, -4.0, 0.001, true, &eta, &beta, &mu,
                         &c);
  EXPECT_DOUBLE_EQ(beta, 0.01 + 0.001 * 6.0);
  EXPECT_DOUBLE_EQ(eta, 0.1 + 0.016 * 2.0);
  EXPECT_DOUBLE_EQ(mu, std::pow(0.5, 1.0 / 3.0));
  EXPECT_DOUBLE_EQ(c, 1.5);
}

TEST(ScheduleUpdate, KeepsEtaAndBetaNonNegative) {
  double eta, beta, mu, c;
  scheduleUpdate<double>(0.1, 0.0, 0.0, 0.0, 5.0, -5.0, 1.0, 1.0, true, &eta, &beta, &mu, &c);
  EXPECT_EQ(beta, 0.0);
  scheduleUpdate<double>(0.1, 1.0, 0.0, 0.0, 0.0, 5.0, 1.0, 0.0, true, &eta, &beta, &mu, &c);
  EXPECT_EQ(eta, 0.0);
}

TEST(ScheduleUpdate, ClipsQAndHandlesZeroG1) {
  double eta, beta, mu, c;
  scheduleUpdate<double>(0.1, 0.0, 0.3, 0.0, 0.0, 5.0, 1.0, 0.0, true, &eta, &beta, &mu, &c);
  EXPECT_EQ(mu, 1.0); // q = 5 clipped to 1
  scheduleUpdate<double>(0.1, 0.0, 0.3, 0.0, 0.0, -5.0, 1.0, 0.0, true, &eta, &beta, &mu, &c);
  EXPECT_EQ(mu, 0.0); // q < 0 clipped to 0
  scheduleUpdate<double>(0.1, 0.0, 0.3, 0.0, 0.0, 5.0, 0.0, 0.0, true, &eta, &beta, &mu, &c);
  EXPECT_EQ(mu, 0.0); // g1 = 0
  scheduleUpdate<double>(0.1, 0.0, 0.3, 0.0, 0.0, 5.0, 1.0, 0.0, false, &eta, &beta, &mu, &c);
  EXPECT_EQ(mu, 0.3); // fixed mu
}

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
