#include "passes/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace marthe {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "passes/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

bool isSplatConstant(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  return constant && llvm::cast<ElementsAttr>(constant.getValue()).isSplat();
}

/// The ops of one group, in block order, and the op whose result leaves it.
struct Group {
  Operation *root;
  llvm::SetVector<Operation *> ops;
};

/// Grows a group backwards from `root` through element-wise producers of the
/// same shape whose every user is already in the group.
Group growGroup(Operation *root, const DenseSet<Operation *> &taken) {
  Group group{root, {}};
  group.ops.insert(root);
  Type shape = root->getResult(0).getType();
  SmallVector<Operation *> worklist{root};
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    for (Value operand : op->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      if (!producer || taken.contains(producer) || group.ops.contains(producer) ||
          !isElementwise(producer) || producer->getResult(0).getType() != shape)
        continue;
      if (!llvm::all_of(producer->getUsers(),
                        [&](Operation *user) { return group.ops.contains(user); }))
        continue;
      group.ops.insert(producer);
      worklist.push_back(producer);
    }
  }
  SmallVector<Operation *> ordered(group.ops.begin(), group.ops.end());
  llvm::sort(ordered, [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  group.ops = llvm::SetVector<Operation *>(ordered.begin(), ordered.end());
  return group;
}

/// Replaces the group by one marthe.fused op at the root's position. Splat
/// constants are cloned into the body; other outside values become inputs.
void outline(Group &group) {
  llvm::SetVector<Value> inputs;
  for (Operation *op : group.ops)
    for (Value operand : op->getOperands())
      if (!group.ops.contains(operand.getDefiningOp()) && !isSplatConstant(operand))
        inputs.insert(operand);

  OpBuilder builder(group.root);
  Value rootResult = group.root->getResult(0);
  auto fused = FusedOp::create(builder, group.root->getLoc(), TypeRange{rootResult.getType()},
                               inputs.getArrayRef());
  Block *body = builder.createBlock(&fused.getBody());
  IRMapping mapping;
  for (Value input : inputs)
    mapping.map(input, body->addArgument(input.getType(), input.getLoc()));
  for (Operation *op : group.ops)
    for (Value operand : op->getOperands())
      if (isSplatConstant(operand) && !mapping.contains(operand))
        builder.clone(*operand.getDefiningOp(), mapping);
  for (Operation *op : group.ops)
    builder.clone(*op, mapping);
  YieldOp::create(builder, group.root->getLoc(), ValueRange{mapping.lookup(rootResult)});

  rootResult.replaceAllUsesWith(fused.getResult(0));
  for (Operation *op : llvm::reverse(group.ops))
    op->erase();
}

struct FuseElementwisePass : marthe::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    if (getOperation().isExternal())
      return;
    Block &block = getOperation().getBody().front();
    DenseSet<Operation *> taken;
    SmallVector<Group> groups;
    for (Operation &op : llvm::reverse(block)) {
      if (!isElementwise(&op) || taken.contains(&op))
        continue;
      groups.push_back(growGroup(&op, taken));
      taken.insert(groups.back().ops.begin(), groups.back().ops.end());
    }
    for (Group &group : groups)
      outline(group);
  }
};

} // namespace
