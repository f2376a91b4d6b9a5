#include "dialect/MartheDialect.h"
#include "dialect/MartheOps.h"

#include "mlir/Transforms/InliningUtils.h"

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

Operation *MartheDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                              Type type, Location loc) {
  auto elements = llvm::dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
