// The compiled momentum step of a double-precision tanh MLP: its tangent
// against the closed form of docs/DESIGN.md §3 and finite differences.

#include "test/Numerics/CompiledStep.h"

namespace {

using namespace marthe::rt;
using namespace marthe::rt::testing;

constexpr double kMomentum = 0.8; // momentum_tanh.toml

class MomentumStepTest : public CompiledStepTest {};

TEST_F(MomentumStepTest, TangentFollowsTheClosedForm) {
  // docs/DESIGN.md §3: M' = m M + Hz; Z <- mu (Z - eta M') - buf'; M <- mu M',
  // with buf' = m buf + g~ and Hz = H Z + lambda Z.
  const double eta = 0.05, mu = 0.6;
  size_t n = w.size();
  Vector buf = randomVector(n, 0.1), z = randomVector(n, 1.0), mz = randomVector(n, 0.1);

  Function fn = martheStepFrom({{"param:", w},
                                {"opt:momentum:", buf},
                                {"tangent:param:", z},
                                {"tangent:opt:momentum:", mz}},
                               eta, mu, randomBatch());

  Vector g = axpy(kWeightDecay, w, gradient(w, batch));
  Vector hz = axpy(kWeightDecay, z, hessianVector(w, z, batch));
  Vector newBuf(n), dm(n), expectedZ(n), expectedM(n), expectedW(n);
  for (size_t i = 0; i < n; ++i) {
    newBuf[i] = kMomentum * buf[i] + g[i];
    dm[i] = kMomentum * mz[i] + hz[i];
    expectedZ[i] = mu * (z[i] - eta * dm[i]) - newBuf[i];
    expectedM[i] = mu * dm[i];
    expectedW[i] = w[i] - eta * newBuf[i];
  }
  EXPECT_LE(relativeError(gather(fn.results(), "tangent:param:"), expectedZ), 1e-12);
  EXPECT_LE(relativeError(gather(fn.results(), "tangent:opt:momentum:"), expectedM), 1e-12);
  EXPECT_LE(relativeError(gather(fn.results(), "opt:momentum:"), newBuf), 1e-12);
  EXPECT_LE(relativeError(gather(fn.results(), "param:"), expectedW), 1e-12);
}

TEST_F(MomentumStepTest, TangentWithMuOneIsTheDerivativeOfTheTrajectory) {
  expectTangentIsTheDerivativeOfTheTrajectory(0.05, 6);
}

} // namespace
