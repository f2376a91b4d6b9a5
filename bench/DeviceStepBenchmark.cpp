// Times the compiled SGD and MARTHE steps and the forward pass of the
// program it is linked with, on the program's device (built for the CUDA
// target by bench/CMakeLists.txt, run by scripts/gpu-check.sh): each call as
// the trainer makes it, scalar results copied back, one synchronization.

#include "bench/StepTiming.h"
#include "runtime/Abi.h"
#include "runtime/Program.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace marthe::rt;
using marthe::bench::median;
using marthe::bench::millisecondsPerCall;
using marthe::bench::randomize;

int main() {
  try {
    Function sgd(*findFunction(marthe_program, "train_step"), marthe_program.device);
    Function marthe(*findFunction(marthe_program, "marthe_step"), marthe_program.device);
    Function forward(*findFunction(marthe_program, "forward"), marthe_program.device);
    std::mt19937 rng(0);
    randomize(sgd, rng);
    randomize(marthe, rng);
    randomize(forward, rng);
    const int rounds = 9, calls = 100;
    std::vector<double> sgdTimes, martheTimes, forwardTimes;
    for (Function *fn : {&sgd, &marthe, &forward})
      millisecondsPerCall(*fn, 10); // kernels loaded, graphs captured
    for (int r = 0; r < rounds; ++r) {
      forwardTimes.push_back(millisecondsPerCall(forward, calls));
      sgdTimes.push_back(millisecondsPerCall(sgd, calls));
      martheTimes.push_back(millisecondsPerCall(marthe, calls));
    }
    std::printf("compiled, median of %d rounds x %d calls:\n", rounds, calls);
    std::printf("forward     %.4f ms\n", median(forwardTimes));
    std::printf("SGD step    %.4f ms\n", median(sgdTimes));
    std::printf("MARTHE step %.4f ms (%.2fx the SGD step)\n", median(martheTimes),
                median(martheTimes) / median(sgdTimes));
    return 0;
  } catch (const std::exception &error) {
    std::fprintf(stderr, "device-step-benchmark: error: %s\n", error.what());
    return 1;
  }
}
