#pragma once

// What the step benchmarks share: arguments for a compiled step, and medians.

#include "runtime/Program.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

namespace marthe::bench {

/// Random weights and inputs, labels in [0, 10), eta 0.01 and alpha 0 (the
/// schedule stays put, so every call does the same work).
inline void randomize(rt::Function &fn, std::mt19937 &rng) {
  std::normal_distribution<double> normal(0.0, 0.05);
  for (rt::Tensor &t : fn.args()) {
    std::string role = t.spec->role;
    bool labels = t.spec->dtype == rt::DType::I32;
    for (int64_t i = 0; i < t.size(); ++i)
      t.set(i, labels ? double(rng() % 10) : role == "eta" ? 0.01 : normal(rng));
  }
  if (fn.hasArg("alpha"))
    fn.arg("alpha").set(0, 0.0);
}

/// Milliseconds per call over `calls` calls, each followed by the trainer's
/// feedBack (results become the next call's arguments), until the last one
/// has finished (on a device, a function without scalar results, such as
/// the forward pass, would otherwise still run when the clock stops).
inline double millisecondsPerCall(rt::Function &fn, int calls) {
  fn.wait();
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) {
    fn.call();
    fn.feedBack({"hg", "hg_prev"});
  }
  fn.wait();
  std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / calls;
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

} // namespace marthe::bench
