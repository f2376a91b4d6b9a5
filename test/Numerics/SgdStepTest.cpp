// Derivatives of the compiled SGD step of a double-precision tanh MLP against
// central finite differences (docs/DESIGN.md §4).

#include "test/Numerics/CompiledStep.h"

namespace {

using namespace marthe::rt;
using namespace marthe::rt::testing;

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

/// One MARTHE step from (w, Z) on `batch` with beta = 0.
struct TangentStep {
  Vector w, z;
  double hg, g1, eta;
};

class MartheStepTest : public CompiledStepTest {
protected:
  TangentStep martheStep(const Vector &z0, double eta, double mu, const Batch &validation) {
    Function fn = martheStepFrom({{"param:", w}, {"tangent:", z0}}, eta, mu, validation);
    return {gather(fn.results(), "param:"), gather(fn.results(), "tangent:"),
            fn.result("hg").get(0), fn.result("g1").get(0), fn.result("eta").get(0)};
  }
};

TEST_F(MartheStepTest, TangentIsTheSgdRecurrence) {
  // docs/DESIGN.md §3: Z' = mu (Z - eta (H Z + lambda Z)) - (g + lambda w).
  const double eta = 0.05, mu = 0.7;
  Vector z = randomVector(w.size(), 1.0);
  TangentStep step = martheStep(z, eta, mu, randomBatch());
  Vector hz = axpy(kWeightDecay, z, hessianVector(w, z, batch));
  Vector g = axpy(kWeightDecay, w, gradient(w, batch));
  Vector expected = axpy(-1.0, g, axpy(-eta * mu, hz, Vector(z.size(), 0.0)));
  expected = axpy(mu, z, expected);
  EXPECT_LE(relativeError(step.z, expected), 1e-12);
}

TEST_F(MartheStepTest, HypergradientIsTangentDotValidationGradient) {
  const double eta = 0.05;
  Batch validation = randomBatch();
  TangentStep step = martheStep(Vector(w.size(), 0.0), eta, 0.5, validation);
  Vector e = validationGradient(step.w, validation);
  Vector b = axpy(-1.0, axpy(kWeightDecay, w, gradient(w, batch)), Vector(w.size(), 0.0));
  EXPECT_NEAR(step.hg, dot(step.z, e), 1e-12 * std::abs(step.hg));
  EXPECT_NEAR(step.g1, dot(b, e), 1e-12 * std::abs(step.g1));
  EXPECT_EQ(step.eta, eta); // beta = 0 keeps eta
}

TEST_F(MartheStepTest, TangentWithMuOneIsTheDerivativeOfTheTrajectory) {
  expectTangentIsTheDerivativeOfTheTrajectory(0.1, 6);
}

} // namespace

// The compiled functions keep no state of their own (each Function owns its
// arena), so steps on different data can run at the same time in one process.
TEST_F(CompiledStepTest, StepsRunConcurrentlyWithTheirOwnArenas) {
  const int kThreads = 4;
  std::vector<Vector> starts, alone(kThreads), together(kThreads);
  for (int i = 0; i < kThreads; ++i)
    starts.push_back(randomVector(w.size(), 0.5));
  auto run = [&](int i, Vector &out) {
    Function fn = function("marthe_step");
    scatter(fn.args(), "param:", starts[i]);
    setBatch(fn, batch);
    setBatch(fn, batch, "val_");
    fn.arg("eta").set(0, 0.1);
    for (int step = 0; step < 500; ++step) {
      fn.call();
      fn.feedBack({"hg", "hg_prev"});
    }
    out = gather(fn.args(), "");
  };
  for (int i = 0; i < kThreads; ++i)
    run(i, alone[i]);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back(run, i, std::ref(together[i]));
  for (std::thread &thread : threads)
    thread.join();
  for (int i = 0; i < kThreads; ++i)
    EXPECT_EQ(alone[i], together[i]) << "thread " << i;
}
