// marthe-gpu-map-loop-nests: every loop nest of a planned function -> one
// gpu.launch, one thread per iteration of its parallel loops.

#include "target/cuda/CudaTarget.h"
#include "target/cuda/Launch.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace marthe {
#define GEN_PASS_DEF_GPUMAPLOOPNESTS
#include "target/cuda/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

/// Moves the parallel loops of a generic outermost, so that they become
/// one scf.parallel around the reduction loops.
linalg::LinalgOp parallelLoopsFirst(RewriterBase &rewriter, linalg::LinalgOp op) {
  auto generic = llvm::dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic)
    return op;
  SmallVector<unsigned> order;
  SmallVector<utils::IteratorType> iterators = generic.getIteratorTypesArray();
  for (auto [i, iterator] : llvm::enumerate(iterators))
    if (iterator == utils::IteratorType::parallel)
      order.push_back(i);
  for (auto [i, iterator] : llvm::enumerate(iterators))
    if (iterator != utils::IteratorType::parallel)
      order.push_back(i);
  if (llvm::equal(order, llvm::seq<unsigned>(0, order.size())))
    return op;
  rewriter.setInsertionPoint(generic);
  return *linalg::interchangeGenericOp(rewriter, generic, order);
}

/// An op without parallel loops runs in one thread: it is wrapped in a
/// parallel loop of one iteration.
void wrapInSingleIteration(OpBuilder &b, Operation *op) {
  b.setInsertionPoint(op);
  Location loc = op->getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ParallelOp::create(b, loc, ValueRange{zero}, ValueRange{one}, ValueRange{one});
  op->moveBefore(loop.getBody()->getTerminator());
}

std::optional<int64_t> tripCount(Value lower, Value upper, Value step) {
  std::optional<int64_t> lb = getConstantIntValue(lower), ub = getConstantIntValue(upper),
                         st = getConstantIntValue(step);
  if (!lb || !ub || !st || *st <= 0)
    return std::nullopt;
  return std::max<int64_t>(0, (*ub - *lb + *st - 1) / *st);
}

struct GpuMapLoopNests : marthe::impl::GpuMapLoopNestsBase<GpuMapLoopNests> {
  using Base::Base;

  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      if (failed(toParallelLoops(fn)) || failed(toLaunches(fn)) || failed(checkHostCode(fn)))
        return signalPassFailure();
    }
  }

  LogicalResult toParallelLoops(func::FuncOp fn) {
    IRRewriter rewriter(fn.getContext());
    Block &block = fn.getBody().front();
    for (auto copy : llvm::make_early_inc_range(block.getOps<memref::CopyOp>())) {
      rewriter.setInsertionPoint(copy);
      linalg::makeMemRefCopyOp(rewriter, copy.getLoc(), copy.getSource(), copy.getTarget());
      rewriter.eraseOp(copy);
    }
    SmallVector<linalg::LinalgOp> nests(block.getOps<linalg::LinalgOp>());
    for (linalg::LinalgOp nest : nests) {
      linalg::LinalgOp op = parallelLoopsFirst(rewriter, nest);
      if (op.getNumParallelLoops() == 0)
        wrapInSingleIteration(rewriter, op);
      rewriter.setInsertionPoint(op);
      if (failed(linalg::linalgOpToParallelLoops(rewriter, op)))
        return op->emitOpError("could not be lowered to parallel loops");
      rewriter.eraseOp(op);
    }
    return success();
  }

  LogicalResult toLaunches(func::FuncOp fn) {
    SmallVector<scf::ParallelOp> loops(fn.getBody().front().getOps<scf::ParallelOp>());
    for (scf::ParallelOp loop : loops)
      if (failed(toLaunch(loop)))
        return failure();
    return success();
  }

  /// The iterations of `loop`, row-major, over a 1-D grid: thread g runs the
  /// iteration whose linear index is g.
  LogicalResult toLaunch(scf::ParallelOp loop) {
    SmallVector<int64_t> trips;
    int64_t total = 1;
    for (auto [lb, ub, step] :
         llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      std::optional<int64_t> trip = tripCount(lb, ub, step);
      if (!trip)
        return loop.emitOpError("needs constant bounds to be mapped to a GPU grid");
      trips.push_back(*trip);
      total *= *trip;
    }
    if (total == 0)
      return loop.erase(), success();
    int64_t threads = std::min<int64_t>(total, threadsPerBlock);
    OpBuilder b(loop);
    Location loc = loop.getLoc();
    gpu::LaunchOp launch = createLaunch(b, loc, (total + threads - 1) / threads, threads);
    Value linear = globalThreadId(b, launch, threads);
    if (total % threads != 0) {
      Value count = arith::ConstantIndexOp::create(b, loc, total);
      Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, linear, count);
      auto guard = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
      b.setInsertionPoint(guard.thenBlock()->getTerminator());
    }
    IRMapping mapping;
    SmallVector<Value> indices = delinearize(b, loc, linear, trips);
    for (auto [iv, index, lb, step] : llvm::zip(loop.getInductionVars(), indices,
                                                loop.getLowerBound(), loop.getStep())) {
      Value scaled = arith::MulIOp::create(b, loc, index, step);
      mapping.map(iv, arith::AddIOp::create(b, loc, lb, scaled));
    }
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, mapping);
    loop.erase();
    return success();
  }

  /// The host code only launches, calls and makes views: any other read or
  /// write of a buffer would touch device memory from the host.
  LogicalResult checkHostCode(func::FuncOp fn) {
    for (Operation &op : fn.getBody().front()) {
      if (llvm::isa<gpu::LaunchOp, func::CallOp, func::ReturnOp>(op) ||
          op.getName().getStringRef().starts_with("marthe.library."))
        continue;
      auto effects = llvm::dyn_cast<MemoryEffectOpInterface>(op);
      if (!effects && !op.hasTrait<OpTrait::HasRecursiveMemoryEffects>() && op.getNumRegions())
        return op.emitOpError("cannot run on the host: buffers are device memory");
      if (effects && (effects.hasEffect<MemoryEffects::Read>() ||
                      effects.hasEffect<MemoryEffects::Write>()))
        return op.emitOpError("reads or writes a buffer on the host, but buffers are device "
                              "memory on the CUDA target");
    }
    return success();
  }
};

} // namespace
