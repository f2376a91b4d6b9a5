// The compiled Adam step of a double-precision tanh MLP: its tangent against
// the closed form of docs/DESIGN.md §3 and against finite differences.

#include "test/Numerics/CompiledStep.h"

#include <functional>

namespace {

using namespace marthe::rt;
using namespace marthe::rt::testing;

constexpr double kBeta1 = 0.8, kBeta2 = 0.9, kEpsilon = 1e-3; // adam_tanh.toml

Vector map(const Vector &x, const std::function<double(size_t)> &f) {
  Vector out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = f(i);
  return out;
}

class AdamStepTest : public CompiledStepTest {};

TEST_F(AdamStepTest, TangentFollowsTheClosedForm) {
  // From a state after k = 3 steps: bc = 1 - beta^3, m random, v > 0.
  const double eta = 0.01, mu = 0.7;
  const double bc1 = 1 - std::pow(kBeta1, 3), bc2 = 1 - std::pow(kBeta2, 3);
  size_t n = w.size();
  Vector m = randomVector(n, 0.1), v = map(w, [&](size_t) { return 0.01 + double(rng() % 100) * 1e-4; });
  Vector z = randomVector(n, 1.0), mz = randomVector(n, 0.1), vz = randomVector(n, 0.01);

  Function fn = martheStepFrom({{"param:", w},
                                {"opt:adam_m:", m},
                                {"opt:adam_v:", v},
                                {"opt:adam_bc1", {bc1}},
                                {"opt:adam_bc2", {bc2}},
                                {"tangent:param:", z},
                                {"tangent:opt:adam_m:", mz},
                                {"tangent:opt:adam_v:", vz}},
                               eta, mu, randomBatch());

  // docs/DESIGN.md §3: k = t + 1, bc = 1 - beta^k, s = sqrt(v/bc2), u = (m/bc1)/(s + eps);
  // dm = b1 M + (1-b1) Hz; dv = b2 V + 2(1-b2) g~ Hz; ds = dv/(2 bc2 s);
  // du = dm/(bc1 (s+eps)) - (m/bc1) ds/(s+eps)^2; Z <- mu(Z - eta du) - u; M <- mu dm; V <- mu dv.
  Vector g = axpy(kWeightDecay, w, gradient(w, batch));
  Vector hz = axpy(kWeightDecay, z, hessianVector(w, z, batch));
  double c1 = kBeta1 * bc1 + 1 - kBeta1, c2 = kBeta2 * bc2 + 1 - kBeta2;
  Vector m1 = map(w, [&](size_t i) { return kBeta1 * m[i] + (1 - kBeta1) * g[i]; });
  Vector v1 = map(w, [&](size_t i) { return kBeta2 * v[i] + (1 - kBeta2) * g[i] * g[i]; });
  Vector s = map(w, [&](size_t i) { return std::sqrt(v1[i] / c2); });
  Vector u = map(w, [&](size_t i) { return m1[i] / c1 / (s[i] + kEpsilon); });
  Vector dm = map(w, [&](size_t i) { return kBeta1 * mz[i] + (1 - kBeta1) * hz[i]; });
  Vector dv = map(w, [&](size_t i) { return kBeta2 * vz[i] + 2 * (1 - kBeta2) * g[i] * hz[i]; });
  Vector du = map(w, [&](size_t i) {
    double ds = dv[i] / (2 * c2 * s[i]), d = s[i] + kEpsilon;
    return dm[i] / (c1 * d) - m1[i] / c1 * ds / (d * d);
  });
  Vector expectedZ = map(w, [&](size_t i) { return mu * (z[i] - eta * du[i]) - u[i]; });

  EXPECT_LE(relativeError(gather(fn.results(), "tangent:param:"), expectedZ), 1e-12);
  EXPECT_LE(relativeError(gather(fn.results(), "tangent:opt:adam_m:"),
                          map(w, [&](size_t i) { return mu * dm[i]; })), 1e-12);
  EXPECT_LE(relativeError(gather(fn.results(), "tangent:opt:adam_v:"),
                          map(w, [&](size_t i) { return mu * dv[i]; })), 1e-12);
  EXPECT_LE(relativeError(gather(fn.results(), "param:"),
                          map(w, [&](size_t i) { return w[i] - eta * u[i]; })), 1e-12);
}

TEST_F(AdamStepTest, TangentWithMuOneIsTheDerivativeOfTheTrajectory) {
  expectTangentIsTheDerivativeOfTheTrajectory(0.01, 6);
}

} // namespace
