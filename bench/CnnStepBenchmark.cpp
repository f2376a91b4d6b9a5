// Times the compiled SGD and MARTHE steps of VGG-11-BN (batch 128, 3x32x32,
// the paper's CIFAR setting) on the CPU, interleaved in rounds, and prints
// their medians and the median of the per-round ratios.

#include "bench/StepTiming.h"
#include "runtime/Abi.h"
#include "runtime/Program.h"

#include <cstdio>
#include <random>
#include <vector>

using namespace marthe::rt;
using marthe::bench::median;
using marthe::bench::millisecondsPerCall;
using marthe::bench::randomize;

int main() {
  Function sgd(*findFunction(marthe_program, "train_step"));
  Function marthe(*findFunction(marthe_program, "marthe_step"));
  std::mt19937 rng(0);
  randomize(sgd, rng);
  randomize(marthe, rng);
  millisecondsPerCall(sgd, 1); // oneDNN creates its primitives on first use
  millisecondsPerCall(marthe, 1);
  const int rounds = 5, calls = 2;
  std::vector<double> sgdTimes, martheTimes, ratios;
  for (int round = 0; round < rounds; ++round) {
    sgdTimes.push_back(millisecondsPerCall(sgd, calls));
    martheTimes.push_back(millisecondsPerCall(marthe, calls));
    ratios.push_back(martheTimes.back() / sgdTimes.back());
  }
  std::printf("VGG-11-BN batch %lld, CPU (%d rounds of %d calls, medians)\n",
              (long long)sgd.arg("input").spec->dims[0], rounds, calls);
  std::printf("SGD step %.1f ms\n", median(sgdTimes));
  std::printf("MARTHE step %.1f ms\n", median(martheTimes));
  std::printf("MARTHE / SGD %.2fx\n", median(ratios));
  return 0;
}
