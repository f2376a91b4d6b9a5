// MARTHE over the automatic-LR optimizer kinds: the tangent derived through
// their update rules (global inner products, norms, max, square roots, float64
// state) against central differences of the trajectory in eta.
// MARTHE_TEST_ETA is the kind's eta (its package's default lr, or one in the
// smooth regime of this small net).
#include "test/Numerics/CompiledStep.h"

namespace {

using namespace marthe::rt;
using namespace marthe::rt::testing;

using PeerStepTest = CompiledStepTest;

TEST_F(PeerStepTest, TangentWithMuOneIsTheDerivativeOfTheTrajectory) {
  expectTangentIsTheDerivativeOfTheTrajectory(MARTHE_TEST_ETA, 6);
}

// The tangent is not trivially zero: eta moves the trajectory.
TEST_F(PeerStepTest, TrajectoryDependsOnEta) {
  std::vector<Batch> batches{randomBatch(), randomBatch()};
  Vector slower = trajectory(w, 0.5 * MARTHE_TEST_ETA, batches);
  EXPECT_GT(relativeError(slower, trajectory(w, MARTHE_TEST_ETA, batches)), 1e-6);
}

} // namespace
