#include "target/cuda/Launch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

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
  for (int64_t d = int64_t(sizes.size()) - 1; d >= 0; --d) {
    if (d == 0) {
      indices[d] = linear;
      break;
    }
    Value size = arith::ConstantIndexOp::create(builder, loc, sizes[d]);
    indices[d] = arith::RemUIOp::create(builder, loc, linear, size);
    linear = arith::DivUIOp::create(builder, loc, linear, size);
  }
  return indices;
}

} // namespace marthe
