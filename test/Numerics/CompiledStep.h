// Helpers for tests of compiled programs: tensors as flat vectors by role,
// random batches, and calls of the compiled functions.
#pragma once

#include "runtime/Abi.h"
#include "runtime/OptimizerState.h"
#include "runtime/Program.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace marthe::rt::testing {


using Vector = std::vector<double>;

double norm(const Vector &v) {
  double sum = 0;
  for (double x : v)
    sum += x * x;
  return std::sqrt(sum);
}

double dot(const Vector &a, const Vector &b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i)
    sum += a[i] * b[i];
  return sum;
}

/// ||actual - expected|| / ||expected||, also printed for the record.
double relativeError(const Vector &actual, const Vector &expected) {
  Vector diff(actual.size());
  for (size_t i = 0; i < actual.size(); ++i)
    diff[i] = actual[i] - expected[i];
  double error = norm(diff) / norm(expected);
  std::printf("relative error %.2e\n", error);
  return error;
}

Vector axpy(double a, const Vector &x, const Vector &y) {
  Vector out(y);
  for (size_t i = 0; i < out.size(); ++i)
    out[i] += a * x[i];
  return out;
}

/// Reads or writes every tensor whose role starts with `prefix`, as one vector.
Vector gather(std::vector<Tensor> &tensors, const std::string &prefix) {
  Vector out;
  for (Tensor &t : tensors)
    if (std::string(t.spec->role).rfind(prefix, 0) == 0)
      for (int64_t i = 0; i < t.size(); ++i)
        out.push_back(t.get(i));
  return out;
}

void scatter(std::vector<Tensor> &tensors, const std::string &prefix, const Vector &values) {
  size_t k = 0;
  for (Tensor &t : tensors)
    if (std::string(t.spec->role).rfind(prefix, 0) == 0)
      for (int64_t i = 0; i < t.size(); ++i)
        t.set(i, values[k++]);
}

class CompiledStepTest : public ::testing::Test {
protected:
  static constexpr int kBatch = 8, kClasses = 4, kFeatures = 6;
  static constexpr double kWeightDecay = 0.01; // small_tanh.toml

  Function function(const char *name) {
    const FunctionSpec *spec = findFunction(marthe_program, name);
    EXPECT_NE(spec, nullptr) << name;
    return Function(*spec);
  }

  Vector randomVector(size_t n, double scale) {
    std::normal_distribution<double> normal(0.0, scale);
    Vector v(n);
    for (double &x : v)
      x = normal(rng);
    return v;
  }

  struct Batch {
    Vector input;
    std::vector<int> labels;
  };

  Batch randomBatch() {
    Batch batch{randomVector(kBatch * kFeatures, 1.0), {}};
    for (int i = 0; i < kBatch; ++i)
      batch.labels.push_back(std::uniform_int_distribution<int>(0, kClasses - 1)(rng));
    return batch;
  }

  void setBatch(Function &fn, const Batch &batch, const std::string &prefix = "") {
    Tensor &input = fn.arg(prefix + "input"), &labels = fn.arg(prefix + "labels");
    for (size_t i = 0; i < batch.input.size(); ++i)
      input.set(i, batch.input[i]);
    for (size_t i = 0; i < batch.labels.size(); ++i)
      labels.set(i, batch.labels[i]);
  }

  double loss(const Vector &w, const Batch &batch) {
    Function fn = function("loss");
    scatter(fn.args(), "param:", w);
    setBatch(fn, batch);
    fn.call();
    return fn.result("loss").get(0);
  }

  Vector gradient(const Vector &w, const Batch &batch) {
    Function fn = function("loss_and_grad");
    scatter(fn.args(), "param:", w);
    setBatch(fn, batch);
    fn.call();
    return gather(fn.results(), "grad:");
  }

  /// The gradient of the hypergradient's validation loss: the training loss
  /// without dropout, when the model drops out.
  Vector validationGradient(const Vector &w, const Batch &batch) {
    if (!findFunction(marthe_program, "validation_loss_and_grad"))
      return gradient(w, batch);
    Function fn = function("validation_loss_and_grad");
    scatter(fn.args(), "param:", w);
    setBatch(fn, batch);
    fn.call();
    return gather(fn.results(), "grad:");
  }

  Vector hessianVector(const Vector &w, const Vector &v, const Batch &batch) {
    Function fn = function("loss_hvp");
    scatter(fn.args(), "param:", w);
    scatter(fn.args(), "tangent:", v);
    setBatch(fn, batch);
    fn.call();
    return gather(fn.results(), "hvp:");
  }

  /// Calls marthe_step on `batch` and `validation` from the tensors given by
  /// role prefix; the others are zero.
  Function martheStepFrom(const std::vector<std::pair<std::string, Vector>> &tensors,
                          double eta, double mu, const Batch &validation) {
    Function fn = function("marthe_step");
    for (const auto &[prefix, values] : tensors)
      scatter(fn.args(), prefix, values);
    setBatch(fn, batch);
    setBatch(fn, validation, "val_");
    fn.arg("eta").set(0, eta);
    fn.arg("mu").set(0, mu);
    fn.call();
    return fn;
  }

  /// w_T after T steps of train_step with a constant eta, from w0 and the
  /// optimizer's initial state.
  Vector trajectory(const Vector &w0, double eta, const std::vector<Batch> &batches) {
    Function fn = function("train_step");
    scatter(fn.args(), "param:", w0);
    initializeOptimizerState(marthe_program, fn);
    for (const Batch &batch : batches) {
      setBatch(fn, batch);
      fn.arg("eta").set(0, eta);
      fn.call();
      fn.feedBack();
    }
    return gather(fn.args(), "param:");
  }

  /// w_T and the parameters' Z_T after T steps of marthe_step with mu = 1 and
  /// beta = 0 (so eta stays constant), from w0, Z_0 = 0 and the optimizer's
  /// initial state (zero, or @init_optimizer's).
  std::pair<Vector, Vector> tangentTrajectory(const Vector &w0, double eta,
                                              const std::vector<Batch> &batches) {
    Function fn = function("marthe_step");
    scatter(fn.args(), "param:", w0);
    initializeOptimizerState(marthe_program, fn);
    fn.arg("eta").set(0, eta);
    fn.arg("mu").set(0, 1.0);
    for (const Batch &train : batches) {
      setBatch(fn, train);
      setBatch(fn, batch, "val_");
      fn.call();
      fn.feedBack({"hg", "hg_prev"});
    }
    return {gather(fn.args(), "param:"), gather(fn.args(), "tangent:param:")};
  }

  /// With mu = 1 and a constant eta, Z_T = dw_T / d eta (central differences).
  void expectTangentIsTheDerivativeOfTheTrajectory(double eta, int steps) {
    const double h = 1e-5;
    std::vector<Batch> batches;
    for (int t = 0; t < steps; ++t)
      batches.push_back(randomBatch());
    auto [wt, z] = tangentTrajectory(w, eta, batches);
    Vector plus = trajectory(w, eta + h, batches), minus = trajectory(w, eta - h, batches);
    Vector fd(w.size());
    for (size_t j = 0; j < w.size(); ++j)
      fd[j] = (plus[j] - minus[j]) / (2 * h);
    EXPECT_LE(relativeError(z, fd), 1e-6);
    EXPECT_LE(relativeError(wt, trajectory(w, eta, batches)), 1e-12);
  }

  void SetUp() override {
    size_t size = gather(function("loss").args(), "param:").size();
    w = randomVector(size, 0.5);
    batch = randomBatch();
  }

  std::mt19937_64 rng{7};
  Vector w;
  Batch batch;
};

} // namespace marthe::rt::testing
