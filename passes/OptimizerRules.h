#ifndef MARTHE_PASSES_OPTIMIZERRULES_H
#define MARTHE_PASSES_OPTIMIZERRULES_H

// The update rule of each optimizer kind (dialect/OptimizerKinds.h), written
// in marthe ops that all have derivative rules, so that the tangent of the
// step (and with it MARTHE over the optimizer) is derived like the rest.

#include "dialect/MartheOps.h"
#include "dialect/OptimizerKinds.h"

#include "mlir/IR/Builders.h"

#include <memory>

namespace marthe {

/// One piece of an optimizer's state, after the parameters. Its roles are
/// "opt:<name>:<parameter role>" (one per parameter) or "opt:<name>".
struct StateSlot {
  enum class Shape {
    PerParameter,       // like the parameter
    PerParameterScalar, // a float64 scalar per parameter tensor
    Scalar,             // one float64 scalar
  };
  /// The value before the first step.
  enum class Start { Zero, Parameter, Constant };

  std::string name;
  Shape shape;
  Start start = Start::Zero;
  double value = 0; // Start::Constant
};

/// Element-wise and scalar arithmetic for update rules: scalars are rank-0
/// tensors, the optimizer's global ones float64 (`wide`), converted where
/// they meet the model's tensors. Callers build ops in statements: at most
/// one argument of a call may create ops (C++ leaves the order of a call's
/// arguments unspecified, and the IR must not depend on the compiler).
class UpdateBuilder {
public:
  UpdateBuilder(mlir::OpBuilder &builder, mlir::Location loc) : b(builder), loc(loc) {}

  mlir::Value constant(double value, mlir::Value like);
  mlir::Value wide(double value);
  mlir::Value add(mlir::Value x, mlir::Value y);
  mlir::Value sub(mlir::Value x, mlir::Value y);
  mlir::Value mul(mlir::Value x, mlir::Value y);
  mlir::Value div(mlir::Value x, mlir::Value y);
  mlir::Value sqrt(mlir::Value x);
  /// x times, or plus, a constant of x's precision.
  mlir::Value mul(mlir::Value x, double c);
  mlir::Value add(mlir::Value x, double c);
  /// x rounded or widened to the element type of `like`.
  mlir::Value as(mlir::Value x, mlir::Value like);
  mlir::Value toWide(mlir::Value x);
  /// The scalar `s` (any precision) times the tensor `x`.
  mlir::Value scale(mlir::Value s, mlir::Value x);
  mlir::Value scale(double s, mlir::Value x) { return mul(constant(s, x), x); }
  /// a * x + c * y for constants a and c.
  mlir::Value mix(double a, mlir::Value x, double c, mlir::Value y);
  /// Exact max and min (the larger operand itself; the second on ties), as
  /// selections whose derivative follows the chosen operand.
  mlir::Value maximum(mlir::Value x, mlir::Value y);
  mlir::Value minimum(mlir::Value x, mlir::Value y);
  /// `value` where `condition` > 0, else 0 (relu_grad): the derivative
  /// passes through `value` only.
  mlir::Value where(mlir::Value condition, mlir::Value value);
  /// Inner products and norms over whole tensors, as float64 scalars.
  mlir::Value dot(mlir::Value x, mlir::Value y);
  mlir::Value dot(mlir::ValueRange xs, mlir::ValueRange ys);
  mlir::Value l1Norm(mlir::Value x);
  mlir::Value norm(mlir::Value x);
  /// A bias correction's update: bc' = beta bc + (1 - beta), so bc_k = 1 - beta^k.
  mlir::Value correction(mlir::Value bc, double beta);

  mlir::OpBuilder &b;
  mlir::Location loc;
};

/// What an update rule reads: the state by slot, the gradients (with the
/// loss's weight decay) and eta.
struct StepInputs {
  mlir::ValueRange params;
  llvm::ArrayRef<mlir::Value> grads;
  mlir::Value eta;
  /// The values of each slot, in slots() order (n per per-parameter slot).
  llvm::SmallVector<llvm::SmallVector<mlir::Value>> slots;
};

class OptimizerRule {
public:
  virtual ~OptimizerRule() = default;
  /// The state after the parameters, in order.
  virtual llvm::SmallVector<StateSlot> slots() const { return {}; }
  /// The parameters' new values, then each slot's in slots() order.
  virtual llvm::SmallVector<mlir::Value> update(UpdateBuilder &b, const StepInputs &in) const = 0;
  /// The parameters at which the model is evaluated and written, when they
  /// are not the iterate (schedule-free's x); `in.grads` and `in.eta` are
  /// not set.
  virtual llvm::SmallVector<mlir::Value> evaluationPoint(UpdateBuilder &b,
                                                         const StepInputs &in) const {
    return {};
  }
};

/// The rule of `kind` with every hyperparameter of its table entry in
/// `hyperparameters`.
std::unique_ptr<OptimizerRule> makeOptimizerRule(Optimizer kind,
                                                 const llvm::StringMap<double> &hyperparameters);

} // namespace marthe

#endif // MARTHE_PASSES_OPTIMIZERRULES_H
