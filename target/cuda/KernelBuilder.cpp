#include "target/cuda/KernelBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace marthe {

gpu::LaunchOp createLaunch(OpBuilder &builder, Location loc, int64_t blocks, int64_t threads) {
  Value one = arith::ConstantIndexOp::create(builder, loc, 1);
  Value grid = arith::ConstantIndexOp::create(builder, loc, blocks);
  Value block = arith::ConstantIndexOp::create(builder, loc, threads);
  auto launch = gpu::LaunchOp::create(builder, loc, grid, one, one, block, one, one);
  Block &body = launch.getBody().front();
  builder.setInsertionPointToEnd(&body);
  auto terminator = gpu::TerminatorOp::create(builder, loc);
  builder.setInsertionPoint(terminator);
  return launch;
}

Value globalThreadId(OpBuilder &builder, gpu::LaunchOp launch, int64_t threads) {
  Location loc = launch.getLoc();
  Value blockSize = arith::ConstantIndexOp::create(builder, loc, threads);
  Value blockStart = arith::MulIOp::create(builder, loc, launch.getBlockIds().x, blockSize);
  return arith::AddIOp::create(builder, loc, blockStart, launch.getThreadIds().x);
}

SmallVector<Value> delinearize(OpBuilder &builder, Location loc, Value linear,
                               ArrayRef<int64_t> sizes) {
  SmallVector<Value> indices(sizes.size());
  for (int64_t d = int64_t(sizes.size()) - 1; d > 0; --d) {
    Value size = arith::ConstantIndexOp::create(builder, loc, sizes[d]);
    indices[d] = arith::RemUIOp::create(builder, loc, linear, size);
    linear = arith::DivUIOp::create(builder, loc, linear, size);
  }
  if (!sizes.empty())
    indices[0] = linear;
  return indices;
}

static SmallVector<Value> operandIndices(OpBuilder &builder, Location loc, linalg::GenericOp op,
                                         OpOperand &operand, ValueRange indices) {
  AffineMap map = op.getMatchingIndexingMap(&operand);
  SmallVector<Value> at;
  for (unsigned r = 0; r < map.getNumResults(); ++r)
    at.push_back(affine::AffineApplyOp::create(builder, loc, map.getSubMap({r}), indices));
  return at;
}

Value loadOperand(OpBuilder &builder, Location loc, linalg::GenericOp op, OpOperand &operand,
                  ValueRange indices) {
  if (!llvm::isa<MemRefType>(operand.get().getType()))
    return operand.get(); // a scalar operand
  return memref::LoadOp::create(builder, loc, operand.get(),
                                operandIndices(builder, loc, op, operand, indices));
}

void storeOperand(OpBuilder &builder, Location loc, linalg::GenericOp op, OpOperand &operand,
                  Value value, ValueRange indices) {
  memref::StoreOp::create(builder, loc, value, operand.get(),
                          operandIndices(builder, loc, op, operand, indices));
}

SmallVector<Value> evaluateBody(OpBuilder &builder, Location loc, linalg::GenericOp op,
                                ValueRange indices, ValueRange outputs) {
  IRMapping mapping;
  Block *body = op.getBody();
  for (OpOperand *input : op.getDpsInputOperands()) {
    BlockArgument arg = op.getMatchingBlockArgument(input);
    if (!arg.use_empty())
      mapping.map(arg, loadOperand(builder, loc, op, *input, indices));
  }
  mapping.map(body->getArguments().take_back(outputs.size()), outputs);
  for (Operation &inner : body->without_terminator()) {
    if (auto index = llvm::dyn_cast<linalg::IndexOp>(inner))
      mapping.map(index.getResult(), indices[index.getDim()]); // the thread's iteration
    else
      builder.clone(inner, mapping);
  }
  SmallVector<Value> yielded;
  for (Value value : body->getTerminator()->getOperands())
    yielded.push_back(mapping.lookupOrDefault(value));
  return yielded;
}

std::optional<Value> takeFill(linalg::GenericOp op, Value init) {
  if (llvm::is_contained(op.getDpsInputs(), init))
    return std::nullopt; // the op reads the filled values as an input too
  for (Operation *before = op->getPrevNode(); before; before = before->getPrevNode()) {
    if (auto fill = llvm::dyn_cast<linalg::FillOp>(before)) {
      if (fill.getOutputs()[0] != init)
        continue;
      Value value = fill.getInputs()[0];
      if (value.getParentBlock() == op->getBlock() && !value.getDefiningOp<arith::ConstantOp>())
        return std::nullopt; // constants only (or values from outside the block)
      fill.erase();
      return value;
    }
    if (before->getNumRegions() || !isMemoryEffectFree(before))
      return std::nullopt;
  }
  return std::nullopt;
}

int64_t product(ArrayRef<int64_t> sizes) {
  int64_t total = 1;
  for (int64_t size : sizes)
    total *= size;
  return total;
}

SmallVector<std::optional<Value>> takeFills(linalg::GenericOp op) {
  SmallVector<std::optional<Value>> fills;
  for (Value init : op.getDpsInits())
    fills.push_back(takeFill(op, init));
  return fills;
}

bool sumsIntoOutputs(linalg::GenericOp op) {
  for (OpOperand &init : op.getDpsInitsMutable()) {
    auto type = llvm::cast<MemRefType>(init.get().getType());
    BlockArgument out = op.getMatchingBlockArgument(&init);
    Value yielded = op.getMatchingYieldValue(&init)->get();
    auto add = yielded.getDefiningOp<arith::AddFOp>();
    if (!llvm::isa<FloatType>(type.getElementType()) || !add || !out.hasOneUse() ||
        (add.getLhs() != out && add.getRhs() != out))
      return false;
  }
  return true;
}

SmallVector<Value> zerosOf(OpBuilder &builder, Location loc, TypeRange types) {
  SmallVector<Value> zeros;
  for (Type type : types)
    zeros.push_back(arith::ConstantOp::create(builder, loc, builder.getFloatAttr(type, 0.0)));
  return zeros;
}

SmallVector<Value> blockSums(OpBuilder &builder, Location loc, ValueRange values) {
  SmallVector<Value> sums;
  auto add = gpu::AllReduceOperationAttr::get(builder.getContext(), gpu::AllReduceOperation::ADD);
  for (Value value : values)
    sums.push_back(gpu::AllReduceOp::create(builder, loc, value, add, /*uniform=*/true));
  return sums;
}

void inFirstThread(OpBuilder &builder, gpu::LaunchOp launch, function_ref<void()> body) {
  Location loc = launch.getLoc();
  Value zero = arith::ConstantIndexOp::create(builder, loc, 0);
  Value first = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                      launch.getThreadIds().x, zero);
  auto ifOp = scf::IfOp::create(builder, loc, first, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  body();
}

} // namespace marthe
