#ifndef MARTHE_PASSES_DIFFERENTIATE_H
#define MARTHE_PASSES_DIFFERENTIATE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace marthe {

/// The name of a derived function: `<callee>_<kind>_<i>_<j>...`.
std::string derivedName(llvm::StringRef callee, llvm::StringRef kind,
                        llvm::ArrayRef<int64_t> wrt);

/// Checks that `fn` is a single block of ops the AD passes can differentiate.
mlir::LogicalResult checkDifferentiable(mlir::func::FuncOp fn, mlir::Operation *request);

/// The derivative `derivatives` holds for `value`, or a zero constant.
mlir::Value lookupOrZero(const llvm::DenseMap<mlir::Value, mlir::Value> &derivatives,
                         mlir::OpBuilder &builder, mlir::Value value);

/// Replaces every `RequestOp` in `module` by a call of the private function
/// `makeDerived(request)` returns, creating each derived function once.
template <typename RequestOp>
mlir::LogicalResult lowerRequests(
    mlir::ModuleOp module,
    llvm::function_ref<mlir::FailureOr<mlir::func::FuncOp>(RequestOp)> makeDerived) {
  llvm::SmallVector<RequestOp> requests;
  module.walk([&](RequestOp op) { requests.push_back(op); });
  for (RequestOp request : requests) {
    mlir::FailureOr<mlir::func::FuncOp> derived = makeDerived(request);
    if (mlir::failed(derived))
      return mlir::failure();
    mlir::OpBuilder builder(request);
    auto call = mlir::func::CallOp::create(builder, request.getLoc(), *derived,
                                           request->getOperands());
    request->replaceAllUsesWith(call.getResults());
    request->erase();
  }
  return mlir::success();
}

} // namespace marthe

#endif // MARTHE_PASSES_DIFFERENTIATE_H
