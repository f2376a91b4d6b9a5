#include "dialect/MartheDialect.h"
#include "dialect/MartheOps.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/InliningUtils.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace marthe;

#include "dialect/MartheDialect.cpp.inc"

namespace {
/// Every marthe op is pure and free of control flow, so inlining is legal.
struct MartheInlinerInterface : public DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;
  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};
} // namespace

void MartheDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialect/MartheOps.cpp.inc"
      >();
  addInterfaces<MartheInlinerInterface>();
}

/// Roles: a plain name ([a-z0-9_]+), "param:<name>" (any non-empty name),
/// "stat:<name>" for running statistics, "opt:<state>:<role>" for optimizer
/// state, or a derived role
/// "tangent:", "grad:" or "hvp:" followed by a role.
static bool isValidRole(StringRef role) {
  for (StringRef derived : {"tangent:", "grad:", "hvp:"})
    if (role.consume_front(derived))
      return isValidRole(role);
  if (role.consume_front("param:") || role.consume_front("stat:"))
    return !role.empty();
  if (role.consume_front("opt:")) {
    auto [state, of] = role.split(':');
    return isValidRole(state) && (of.empty() || isValidRole(of));
  }
  return !role.empty() && llvm::all_of(role, [](char c) {
    return llvm::isLower(c) || llvm::isDigit(c) || c == '_';
  });
}

/// A role is a valid string, and no two arguments of one function share one
/// (the runtime binds buffers by role). Bufferized results, which are
/// arguments marked `bufferize.result`, repeat the roles of the state they
/// update, so they are checked among themselves.
static LogicalResult verifyRole(Operation *op, NamedAttribute attribute, unsigned index,
                                bool isResult) {
  if (attribute.getName() != MartheDialect::kRoleAttrName)
    return op->emitError("unknown marthe attribute on a function ")
           << (isResult ? "result" : "argument") << ": " << attribute.getName();
  auto role = llvm::dyn_cast<StringAttr>(attribute.getValue());
  if (!role || !isValidRole(role.getValue()))
    return op->emitError("invalid ") << MartheDialect::kRoleAttrName << " of "
                                     << (isResult ? "result " : "argument ") << index << ": "
                                     << attribute.getValue();
  auto function = llvm::dyn_cast<FunctionOpInterface>(op);
  if (!function || isResult)
    return success();
  auto isOutput = [&](unsigned i) { return bool(function.getArgAttr(i, "bufferize.result")); };
  for (unsigned i = 0; i < index; ++i)
    if (function.getArgAttr(i, MartheDialect::kRoleAttrName) == role &&
        isOutput(i) == isOutput(index))
      return op->emitError("arguments ")
             << i << " and " << index << " have the same " << MartheDialect::kRoleAttrName
             << " " << role;
  return success();
}

LogicalResult MartheDialect::verifyRegionArgAttribute(Operation *op, unsigned, unsigned index,
                                                      NamedAttribute attribute) {
  return verifyRole(op, attribute, index, /*isResult=*/false);
}

LogicalResult MartheDialect::verifyRegionResultAttribute(Operation *op, unsigned,
                                                         unsigned index,
                                                         NamedAttribute attribute) {
  return verifyRole(op, attribute, index, /*isResult=*/true);
}

Operation *MartheDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                              Type type, Location loc) {
  auto elements = llvm::dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
