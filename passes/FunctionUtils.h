#ifndef MARTHE_PASSES_FUNCTIONUTILS_H
#define MARTHE_PASSES_FUNCTIONUTILS_H

// Function arguments and results carry a `marthe.role` string attribute that
// says what they are: "param:<name>", "input", "labels", "eta", "loss",
// "tangent:<role>", ... The runtime binds buffers by these strings.

#include "dialect/MartheDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace marthe {

inline constexpr llvm::StringLiteral kRoleAttr = MartheDialect::kRoleAttrName;

llvm::StringRef argRole(mlir::func::FuncOp fn, unsigned index);
llvm::StringRef resultRole(mlir::func::FuncOp fn, unsigned index);

/// The index of the argument with `role`, or -1.
int64_t findArg(mlir::func::FuncOp fn, llvm::StringRef role);

/// Indices of the arguments whose role starts with `prefix`, in order.
llvm::SmallVector<int64_t> argsWithPrefix(mlir::func::FuncOp fn, llvm::StringRef prefix);

/// Indices of the state arguments: parameters, optimizer buffers, then
/// running statistics.
llvm::SmallVector<int64_t> stateArgs(mlir::func::FuncOp fn);

/// (type, role) pairs describing function arguments or results.
using RoleList = llvm::SmallVector<std::pair<mlir::Type, std::string>>;

/// The arguments of `fn` at `indices`, with `prefix` prepended to their roles
/// (an argument without a role stays without one).
RoleList argRoles(mlir::func::FuncOp fn, llvm::ArrayRef<int64_t> indices,
                  llvm::StringRef prefix = "");

/// Every argument of `fn`, then every result.
RoleList argRoles(mlir::func::FuncOp fn);
RoleList resultRoles(mlir::func::FuncOp fn);

/// Creates `name` with the given typed, role-annotated arguments and results,
/// an entry block, and the builder placed at its start.
mlir::func::FuncOp createFunction(mlir::OpBuilder &builder, mlir::ModuleOp module,
                                  llvm::StringRef name, const RoleList &args,
                                  const RoleList &results);

/// Clones the body of `fn` (a single block) at the builder's insertion point
/// with `args` for its arguments; returns the values it would return.
llvm::SmallVector<mlir::Value> cloneBody(mlir::OpBuilder &builder, mlir::func::FuncOp fn,
                                         mlir::ValueRange args);

/// A `tensor.empty` of `type` (a ranked tensor type): the init of a
/// destination-passing op.
mlir::Value createEmptyTensor(mlir::OpBuilder &builder, mlir::Location loc, mlir::Type type);

/// Looks up `name` in `module`, reporting on `module` if it is missing.
mlir::FailureOr<mlir::func::FuncOp> lookupFunction(mlir::ModuleOp module,
                                                   llvm::StringRef name,
                                                   llvm::StringRef neededBy);

} // namespace marthe

#endif // MARTHE_PASSES_FUNCTIONUTILS_H
