// Times the compiled SGD step and the compiled MARTHE step of the paper's
// model in one run, interleaved, and reports their ratio.

#include "runtime/Abi.h"
#include "runtime/Program.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

using namespace marthe::rt;

namespace {

void randomize(Function &fn, std::mt19937 &rng) {
  std::normal_distribution<double> normal(0.0, 0.05);
  for (Tensor &t : fn.args()) {
    std::string role = t.spec->role;
    bool labels = t.spec->dtype == DType::I32;
    for (int64_t i = 0; i < t.size(); ++i)
      t.set(i, labels ? double(rng() % 10) : role == "eta" ? 0.01 : normal(rng));
  }
  if (fn.hasArg("alpha"))
    fn.arg("alpha").set(0, 0.0);
}

double millisecondsPerCall(Function &fn, int calls) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i)
    fn.call();
  std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / calls;
}

/// Bytes a call touches besides the code: arguments, results and its arena.
double megabytes(Function &fn) {
  size_t bytes = fn.spec().arenaBytes;
  for (Tensor &t : fn.args())
    bytes += t.bytes.size();
  for (Tensor &t : fn.results())
    bytes += t.bytes.size();
  return bytes / 1048576.0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
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
  const int rounds = 9, calls = 20;
  std::vector<double> sgdTimes, martheTimes, forwardTimes;
  millisecondsPerCall(sgd, 3);
  millisecondsPerCall(marthe, 3);
  for (int r = 0; r < rounds; ++r) {
    forwardTimes.push_back(millisecondsPerCall(forward, calls));
    sgdTimes.push_back(millisecondsPerCall(sgd, calls));
    martheTimes.push_back(millisecondsPerCall(marthe, calls));
  }
  double f = median(forwardTimes), s = median(sgdTimes), m = median(martheTimes);
  std::printf("model %s, batch %lld, median of %d rounds x %d calls\n", marthe_program.modelName,
              (long long)forward.arg("input").spec->dims[0], rounds, calls);
  std::printf("forward      %8.3f ms\n", f);
  std::printf("SGD step     %8.3f ms  (%.2fx forward)\n", s, s / f);
  std::printf("MARTHE step  %8.3f ms  (%.2fx forward, %.2fx SGD step)\n", m, m / f, m / s);
  double sgdMemory = megabytes(sgd), martheMemory = megabytes(marthe);
  std::printf("memory: SGD step %.1f MiB, MARTHE step %.1f MiB (%.2fx; arguments, results and "
              "the static arena of intermediates)\n",
              sgdMemory, martheMemory, martheMemory / sgdMemory);
  return 0;
}
