// Derivatives of the compiled step of a double-precision tanh MLP against
// central finite differences (DESIGN.md section 4).

#include "runtime/Abi.h"
#include "runtime/Program.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace marthe::rt;

namespace {

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

  Vector hessianVector(const Vector &w, const Vector &v, const Batch &batch) {
    Function fn = function("loss_hvp");
    scatter(fn.args(), "param:", w);
    scatter(fn.args(), "tangent:", v);
    setBatch(fn, batch);
    fn.call();
    return gather(fn.results(), "hvp:");
  }

  /// w_T after T SGD steps of train_step with a constant eta.
  Vector trajectory(Vector w, double eta, const std::vector<Batch> &batches) {
    Function fn = function("train_step");
    for (const Batch &batch : batches) {
      scatter(fn.args(), "param:", w);
      setBatch(fn, batch);
      fn.arg("eta").set(0, eta);
      fn.call();
      w = gather(fn.results(), "param:");
    }
    return w;
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

TEST_F(CompiledStepTest, GradientMatchesCentralDifferences) {
  const double h = 1e-5;
  Vector fd(w.size());
  for (size_t j = 0; j < w.size(); ++j) {
    Vector plus = w, minus = w;
    plus[j] += h;
    minus[j] -= h;
    fd[j] = (loss(plus, batch) - loss(minus, batch)) / (2 * h);
  }
  EXPECT_LE(relativeError(gradient(w, batch), fd), 1e-6);
}

TEST_F(CompiledStepTest, HessianVectorProductMatchesCentralDifferences) {
  const double h = 1e-5;
  Vector v = randomVector(w.size(), 1.0);
  Vector plus = gradient(axpy(h, v, w), batch), minus = gradient(axpy(-h, v, w), batch);
  Vector fd(w.size());
  for (size_t j = 0; j < w.size(); ++j)
    fd[j] = (plus[j] - minus[j]) / (2 * h);
  EXPECT_LE(relativeError(hessianVector(w, v, batch), fd), 1e-6);
}

TEST_F(CompiledStepTest, HessianIsSymmetric) {
  Vector u = randomVector(w.size(), 1.0), v = randomVector(w.size(), 1.0);
  double uHv = dot(u, hessianVector(w, v, batch)), vHu = dot(v, hessianVector(w, u, batch));
  EXPECT_NEAR(uHv, vHu, 1e-12 * std::abs(uHv));
}

TEST_F(CompiledStepTest, TrainStepIsSgdWithWeightDecay) {
  const double eta = 0.1;
  Vector expected = axpy(-eta, axpy(kWeightDecay, w, gradient(w, batch)), w);
  EXPECT_LE(relativeError(trajectory(w, eta, {batch}), expected), 1e-12);
}

/// One MARTHE step from state (w, Z) with mu fixed and beta = 0.
struct TangentStep {
  Vector w, z;
  double hg, g1, eta;
};

class MartheStepTest : public CompiledStepTest {
protected:
  TangentStep martheStep(const Vector &w0, const Vector &z0, double eta, double mu,
                         const Batch &train, const Batch &validation) {
    Function fn = function("marthe_step");
    scatter(fn.args(), "param:", w0);
    scatter(fn.args(), "tangent:", z0);
    setBatch(fn, train);
    setBatch(fn, validation, "val_");
    fn.arg("eta").set(0, eta);
    fn.arg("mu").set(0, mu);
    fn.call();
    return {gather(fn.results(), "param:"), gather(fn.results(), "tangent:"),
            fn.result("hg").get(0), fn.result("g1").get(0), fn.result("eta").get(0)};
  }
};

TEST_F(MartheStepTest, TangentIsTheSgdRecurrence) {
  // DESIGN.md: Z' = mu (Z - eta (H Z + lambda Z)) - (g + lambda w).
  const double eta = 0.05, mu = 0.7;
  Vector z = randomVector(w.size(), 1.0);
  TangentStep step = martheStep(w, z, eta, mu, batch, randomBatch());
  Vector hz = axpy(kWeightDecay, z, hessianVector(w, z, batch));
  Vector g = axpy(kWeightDecay, w, gradient(w, batch));
  Vector expected = axpy(-1.0, g, axpy(-eta * mu, hz, Vector(z.size(), 0.0)));
  expected = axpy(mu, z, expected);
  EXPECT_LE(relativeError(step.z, expected), 1e-12);
}

TEST_F(MartheStepTest, HypergradientIsTangentDotValidationGradient) {
  const double eta = 0.05;
  Batch validation = randomBatch();
  TangentStep step = martheStep(w, Vector(w.size(), 0.0), eta, 0.5, batch, validation);
  Vector e = gradient(step.w, validation);
  Vector b = axpy(-1.0, axpy(kWeightDecay, w, gradient(w, batch)), Vector(w.size(), 0.0));
  EXPECT_NEAR(step.hg, dot(step.z, e), 1e-12 * std::abs(step.hg));
  EXPECT_NEAR(step.g1, dot(b, e), 1e-12 * std::abs(step.g1));
  EXPECT_EQ(step.eta, eta); // beta = 0 keeps eta
}

TEST_F(MartheStepTest, TangentWithMuOneIsTheDerivativeOfTheTrajectory) {
  // With mu = 1 and a constant eta, Z_T = dw_T / d eta.
  const double eta = 0.1, h = 1e-5;
  std::vector<Batch> batches;
  for (int t = 0; t < 6; ++t)
    batches.push_back(randomBatch());
  Vector wt = w, z(w.size(), 0.0);
  for (const Batch &b : batches) {
    TangentStep step = martheStep(wt, z, eta, 1.0, b, batch);
    wt = step.w;
    z = step.z;
  }
  Vector plus = trajectory(w, eta + h, batches), minus = trajectory(w, eta - h, batches);
  Vector fd(w.size());
  for (size_t j = 0; j < w.size(); ++j)
    fd[j] = (plus[j] - minus[j]) / (2 * h);
  EXPECT_LE(relativeError(z, fd), 1e-6);
  EXPECT_LE(relativeError(wt, trajectory(w, eta, batches)), 1e-12);
}

} // namespace
