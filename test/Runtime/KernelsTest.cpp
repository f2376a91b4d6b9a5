#include "runtime/Kernels.h"
#include "runtime/WindowIndexing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

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

namespace {

/// The CUDA target's max-pooling adjoint gathers per input element
/// (unpoolAt, compiled for the GPU from runtime/WindowIndexing.h) where the
/// CPU scatters per window: on overlapping, strided, dilated and padded
/// windows, with ties and NaNs among the keys, both give the same bits.
TEST(MaxUnpool, GatherPerInputEqualsTheCpuScatterBitForBit) {
  std::mt19937 random(7);
  auto pick = [&](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random);
  };
  int checkedWindows = 0;
  for (int trial = 0; trial < 300; ++trial) {
    WindowShape g{};
    g.n = pick(1, 2), g.c = pick(1, 3), g.h = pick(1, 9), g.w = pick(1, 9);
    g.r = pick(1, 4), g.s = pick(1, 4), g.strideH = pick(1, 3), g.strideW = pick(1, 3);
    g.dilationH = pick(1, 2), g.dilationW = pick(1, 2);
    g.padTop = pick(0, g.r - 1), g.padBottom = pick(0, g.r - 1);
    g.padLeft = pick(0, g.s - 1), g.padRight = pick(0, g.s - 1);
    int64_t spanH = g.h + g.padTop + g.padBottom - g.dilationH * (g.r - 1) - 1;
    int64_t spanW = g.w + g.padLeft + g.padRight - g.dilationW * (g.s - 1) - 1;
    if (spanH < 0 || spanW < 0)
      continue;
    g.p = spanH / g.strideH + 1, g.q = spanW / g.strideW + 1;
    // Few distinct keys: ties everywhere; now and then a NaN.
    std::vector<double> keys(g.inputSize()), values(g.planes() * g.p * g.q);
    for (double &key : keys)
      key = pick(0, 20) == 0 ? std::nan("") : double(pick(0, 3));
    for (double &value : values)
      value = std::uniform_real_distribution<double>(-1, 1)(random);
    std::vector<double> scattered(keys.size());
    marthe_rt_max_unpool2d_f64(keys.data(), values.data(), scattered.data(), g.n, g.c, g.h, g.w,
                               g.p, g.q, g.r, g.s, g.strideH, g.strideW, g.padTop, g.padLeft,
                               g.padBottom, g.padRight, g.dilationH, g.dilationW);
    for (int64_t plane = 0; plane < g.planes(); ++plane)
      for (int64_t y = 0; y < g.h; ++y)
        for (int64_t x = 0; x < g.w; ++x) {
          double gathered = unpoolAt(g, keys.data() + plane * g.h * g.w,
                                     values.data() + plane * g.p * g.q, y, x);
          double expected = scattered[(plane * g.h + y) * g.w + x];
          ASSERT_EQ(std::memcmp(&gathered, &expected, sizeof(double)), 0)
              << "trial " << trial << " plane " << plane << " at (" << y << ", " << x
              << "): " << gathered << " vs " << expected;
        }
    checkedWindows += int(values.size());
  }
  EXPECT_GT(checkedWindows, 5000);
}

} // namespace
