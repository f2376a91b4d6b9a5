#include "passes/FunctionUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/Sequence.h"

using namespace mlir;

namespace marthe {

StringRef argRole(func::FuncOp fn, unsigned index) {
  auto role = fn.getArgAttrOfType<StringAttr>(index, kRoleAttr);
  return role ? role.getValue() : StringRef();
}

StringRef resultRole(func::FuncOp fn, unsigned index) {
  auto role = fn.getResultAttrOfType<StringAttr>(index, kRoleAttr);
  return role ? role.getValue() : StringRef();
}

int64_t findArg(func::FuncOp fn, StringRef role) {
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
    if (argRole(fn, i) == role)
      return i;
  return -1;
}

SmallVector<int64_t> argsWithPrefix(func::FuncOp fn, StringRef prefix) {
  SmallVector<int64_t> indices;
  for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
    if (argRole(fn, i).starts_with(prefix))
      indices.push_back(i);
  return indices;
}

SmallVector<int64_t> stateArgs(func::FuncOp fn) {
  SmallVector<int64_t> indices = argsWithPrefix(fn, "param:");
  indices.append(argsWithPrefix(fn, "opt:"));
  indices.append(argsWithPrefix(fn, "stat:"));
  return indices;
}

RoleList argRoles(func::FuncOp fn, ArrayRef<int64_t> indices, StringRef prefix) {
  RoleList list;
  for (int64_t i : indices) {
    StringRef role = argRole(fn, i);
    list.push_back({fn.getArgumentTypes()[i], role.empty() ? "" : (prefix + role).str()});
  }
  return list;
}

RoleList argRoles(func::FuncOp fn) {
  auto all = llvm::to_vector(llvm::seq<int64_t>(0, fn.getNumArguments()));
  return argRoles(fn, all);
}

RoleList resultRoles(func::FuncOp fn) {
  RoleList list;
  for (auto [i, type] : llvm::enumerate(fn.getResultTypes()))
    list.push_back({type, resultRole(fn, i).str()});
  return list;
}

func::FuncOp createFunction(OpBuilder &builder, ModuleOp module, StringRef name,
                            const RoleList &args, const RoleList &results) {
  SmallVector<Type> argTypes, resultTypes;
  for (const auto &arg : args)
    argTypes.push_back(arg.first);
  for (const auto &result : results)
    resultTypes.push_back(result.first);
  builder.setInsertionPointToEnd(module.getBody());
  auto fn = func::FuncOp::create(builder, module.getLoc(), name,
                                 builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, arg] : llvm::enumerate(args))
    if (!arg.second.empty())
      fn.setArgAttr(i, kRoleAttr, builder.getStringAttr(arg.second));
  for (auto [i, result] : llvm::enumerate(results))
    if (!result.second.empty())
      fn.setResultAttr(i, kRoleAttr, builder.getStringAttr(result.second));
  builder.setInsertionPointToStart(fn.addEntryBlock());
  return fn;
}

SmallVector<Value> cloneBody(OpBuilder &builder, func::FuncOp fn, ValueRange args) {
  IRMapping mapping;
  mapping.map(fn.getArguments(), args);
  Block &body = fn.getBody().front();
  for (Operation &op : body.without_terminator())
    builder.clone(op, mapping);
  SmallVector<Value> results;
  for (Value value : body.getTerminator()->getOperands())
    results.push_back(mapping.lookup(value));
  return results;
}

FailureOr<func::FuncOp> lookupFunction(ModuleOp module, StringRef name,
                                       StringRef neededBy) {
  auto fn = module.lookupSymbol<func::FuncOp>(name);
  if (!fn)
    return module.emitError() << neededBy << " needs a function @" << name;
  return fn;
}

Value createEmptyTensor(OpBuilder &builder, Location loc, Type type) {
  auto tensor = llvm::cast<RankedTensorType>(type);
  return tensor::EmptyOp::create(builder, loc, tensor.getShape(), tensor.getElementType());
}

} // namespace marthe
