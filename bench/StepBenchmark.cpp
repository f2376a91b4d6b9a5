// Times, in one run and interleaved: the compiled SGD and MARTHE steps of the
// paper's model, the GEMMs of the MARTHE step alone (same shapes, same BLAS),
// and the trainer's time per MARTHE step on Fashion-MNIST (batch gathering
// and bookkeeping included). Prints the ratios the design targets.

#include "bench/StepTiming.h"
#include "runtime/Abi.h"
#include "runtime/Kernels.h"
#include "runtime/Program.h"
#include "runtime/RunConfig.h"
#include "runtime/Trainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace marthe::rt;
using marthe::bench::median;
using marthe::bench::millisecondsPerCall;
using marthe::bench::randomize;

namespace {

/// Bytes a call touches besides the code: arguments, results and its arena.
double megabytes(Function &fn) {
  size_t bytes = fn.spec().arenaBytes;
  for (Tensor &t : fn.args())
    bytes += t.byteSize();
  for (Tensor &t : fn.results())
    bytes += t.byteSize();
  return bytes / 1048576.0;
}

struct GemmShape {
  int64_t m, n, k;
  bool transposeA, transposeB;
};
std::vector<GemmShape> recordedGemms;

/// The GEMMs one call of `fn` runs, in order.
std::vector<GemmShape> gemmsOf(Function &fn) {
  recordedGemms.clear();
  setGemmObserver([](int64_t m, int64_t n, int64_t k, bool ta, bool tb, bool) {
    recordedGemms.push_back({m, n, k, ta, tb});
  });
  fn.call();
  setGemmObserver(nullptr);
  return recordedGemms;
}

/// The same GEMMs, alone, on buffers of their sizes.
class GemmReplay {
public:
  explicit GemmReplay(std::vector<GemmShape> shapes) : shapes_(std::move(shapes)) {
    for (const GemmShape &g : shapes_) {
      a_.emplace_back(g.m * g.k, 0.01f);
      b_.emplace_back(g.k * g.n, 0.01f);
      c_.emplace_back(g.m * g.n, 0.0f);
    }
  }
  double millisecondsPerCall(int calls) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i)
      for (size_t j = 0; j < shapes_.size(); ++j) {
        const GemmShape &g = shapes_[j];
        matmul(a_[j].data(), b_[j].data(), c_[j].data(), g.m, g.n, g.k, g.transposeA,
               g.transposeB);
      }
    std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
    return elapsed.count() / calls;
  }
  size_t size() const { return shapes_.size(); }

private:
  std::vector<GemmShape> shapes_;
  std::vector<std::vector<float>> a_, b_, c_;
};

/// The trainer's own ms per step over `steps` MARTHE steps (summary.json).
double trainerMillisecondsPerStep(int64_t steps) {
  RunConfig config = defaultRunConfig(marthe_program);
  config.steps = steps;
  config.logEvery = steps;
  config.betaStep = 1e-5;
  config.quiet = true;
  char dir[] = "/tmp/marthe-bench-XXXXXX";
  if (!mkdtemp(dir))
    return NAN;
  config.out = dir;
  train(marthe_program, config);
  std::ifstream summary(config.out + "/summary.json");
  double ms = nlohmann::json::parse(summary).at("ms_per_step");
  std::system(("rm -rf " + config.out).c_str());
  return ms;
}

} // namespace

int main() {
  Function sgd(*findFunction(marthe_program, "train_step"));
  Function marthe(*findFunction(marthe_program, "marthe_step"));
  Function forward(*findFunction(marthe_program, "forward"));
  std::mt19937 rng(0);
  randomize(sgd, rng);
  randomize(marthe, rng);
  randomize(forward, rng);
  GemmReplay gemms(gemmsOf(marthe));
  const int rounds = 9, calls = 20, trainerSteps = 30;
  std::vector<double> sgdTimes, martheTimes, forwardTimes, gemmTimes, trainerTimes;
  // This machine's speed drifts, so each ratio is the median of ratios taken
  // within one round, from measurements next to each other in time.
  std::vector<double> gemmRatios, trainerRatios;
  millisecondsPerCall(sgd, 3);
  millisecondsPerCall(marthe, 3);
  for (int r = 0; r < rounds; ++r) {
    forwardTimes.push_back(millisecondsPerCall(forward, calls));
    sgdTimes.push_back(millisecondsPerCall(sgd, calls));
    martheTimes.push_back(millisecondsPerCall(marthe, calls));
    gemmTimes.push_back(gemms.millisecondsPerCall(calls));
    trainerTimes.push_back(trainerMillisecondsPerStep(trainerSteps));
    // The step and its GEMMs alternate in short bursts, so both see the same
    // machine speed.
    double step = 0, gemmsAlone = 0;
    for (int burst = 0; burst < 5; ++burst) {
      step += millisecondsPerCall(marthe, calls / 5);
      gemmsAlone += gemms.millisecondsPerCall(calls / 5);
    }
    gemmRatios.push_back(step / gemmsAlone);
    trainerRatios.push_back(trainerTimes.back() / ((martheTimes.back() + step / 5) / 2));
  }
  double f = median(forwardTimes), s = median(sgdTimes), m = median(martheTimes),
         g = median(gemmTimes), t = median(trainerTimes);
  std::printf("model %s, batch %lld, median of %d rounds x %d calls\n", marthe_program.modelName,
              (long long)forward.arg("input").spec->dims[0], rounds, calls);
  std::printf("forward          %8.3f ms\n", f);
  std::printf("SGD step         %8.3f ms  (%.2fx forward)\n", s, s / f);
  std::printf("MARTHE step      %8.3f ms  (%.2fx forward, %.2fx SGD step)\n", m, m / f, m / s);
  std::printf("its %zu GEMMs    %8.3f ms  (MARTHE step / GEMMs alone = %.2fx; target <= 1.3)\n",
              gemms.size(), g, median(gemmRatios));
  std::printf("trainer, MARTHE  %8.3f ms/step  (trainer / compiled step = %.2fx; target <= 1.05)\n",
              t, median(trainerRatios));
  double sgdMemory = megabytes(sgd), martheMemory = megabytes(marthe);
  std::printf("memory: SGD step %.1f MiB, MARTHE step %.1f MiB (%.2fx; arguments, results and "
              "the arena of intermediates)\n",
              sgdMemory, martheMemory, martheMemory / sgdMemory);
  return 0;
}
