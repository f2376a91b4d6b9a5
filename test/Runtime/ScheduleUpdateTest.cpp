// The compiled schedule update (marthe.schedule_update lowered to a rank-0
// loop nest) against docs/DESIGN.md §3.

#include "runtime/Abi.h"
#include "runtime/Program.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace marthe::rt;

namespace {

struct Updated {
  double eta, beta, mu, c;
};

Updated update(bool adaptive, double eta, double beta, double mu, double c, double hgPrev,
               double hg, double g1, double alpha) {
  Function fn(*findFunction(marthe_program, adaptive ? "adaptive" : "fixed"));
  const char *roles[] = {"eta", "beta", "mu", "c", "hg_prev", "hg", "g1", "alpha"};
  double values[] = {eta, beta, mu, c, hgPrev, hg, g1, alpha};
  for (int i = 0; i < 8; ++i)
    fn.arg(roles[i]).set(0, values[i]);
  fn.call();
  return {fn.results()[0].get(0), fn.results()[1].get(0), fn.results()[2].get(0),
          fn.results()[3].get(0)};
}

TEST(ScheduleUpdate, FollowsDesignEquations) {
  // beta' = max(beta + alpha hg hg_prev, 0); eta' = max(eta - beta' hg, 0);
  // q = clip(hg g1 / g1^2, 0, 1); mu' = q^(1/(c+1)); c' = mu (1 + c).
  Updated u = update(true, 0.1, 0.01, 0.5, 2.0, -3.0, -2.0, -4.0, 0.001);
  EXPECT_DOUBLE_EQ(u.beta, 0.01 + 0.001 * 6.0);
  EXPECT_DOUBLE_EQ(u.eta, 0.1 + 0.016 * 2.0);
  EXPECT_DOUBLE_EQ(u.mu, std::pow(0.5, 1.0 / 3.0));
  EXPECT_DOUBLE_EQ(u.c, 1.5);
}

TEST(ScheduleUpdate, KeepsEtaAndBetaNonNegative) {
  EXPECT_EQ(update(true, 0.1, 0.0, 0.0, 0.0, 5.0, -5.0, 1.0, 1.0).beta, 0.0);
  EXPECT_EQ(update(true, 0.1, 1.0, 0.0, 0.0, 0.0, 5.0, 1.0, 0.0).eta, 0.0);
}

TEST(ScheduleUpdate, ClipsQAndHandlesZeroG1) {
  EXPECT_EQ(update(true, 0.1, 0.0, 0.3, 0.0, 0.0, 5.0, 1.0, 0.0).mu, 1.0);  // q = 5 -> 1
  EXPECT_EQ(update(true, 0.1, 0.0, 0.3, 0.0, 0.0, -5.0, 1.0, 0.0).mu, 0.0); // q < 0 -> 0
  EXPECT_EQ(update(true, 0.1, 0.0, 0.3, 0.0, 0.0, 5.0, 0.0, 0.0).mu, 0.0);  // g1 = 0
  EXPECT_EQ(update(false, 0.1, 0.0, 0.3, 0.0, 0.0, 5.0, 1.0, 0.0).mu, 0.3); // fixed mu
}

} // namespace
