// marthe-gpu-map-loop-nests: every loop nest of a planned function -> one
// gpu.launch, one thread per iteration of its parallel loops, or one block
// per output element for long sums.

#include "target/cuda/CudaTarget.h"
#include "target/cuda/KernelBuilder.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace marthe {
#define GEN_PASS_DEF_GPUMAPLOOPNESTS
#include "target/cuda/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

/// Moves the parallel loops of `op` outermost, so that they map to threads
/// and each thread runs the reduction loops.
linalg::GenericOp parallelLoopsFirst(RewriterBase &rewriter, linalg::GenericOp op) {
  SmallVector<unsigned> order;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (auto [i, iterator] : llvm::enumerate(iterators))
    if (iterator == utils::IteratorType::parallel)
      order.push_back(i);
  for (auto [i, iterator] : llvm::enumerate(iterators))
    if (iterator != utils::IteratorType::parallel)
      order.push_back(i);
  if (llvm::equal(order, llvm::seq<unsigned>(0, order.size())))
    return op;
  rewriter.setInsertionPoint(op);
  return *linalg::interchangeGenericOp(rewriter, op, order);
}

/// Loop nests a thread per iteration of its parallel loops can run: static
/// ranges, and outputs indexed by parallel loops only.
LogicalResult checkMappable(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics())
    return op.emitOpError("must work on buffers to be mapped to the GPU");
  if (llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return op.emitOpError("needs static loop ranges to be mapped to a GPU grid");
  unsigned parallel = op.getNumParallelLoops();
  for (OpOperand &init : op.getDpsInitsMutable()) {
    AffineMap map = op.getMatchingIndexingMap(&init);
    if (!map.isProjectedPermutation())
      return op.emitOpError("indexes an output with a map that is not a projected permutation");
    for (unsigned d = 0; d < op.getNumLoops(); ++d)
      if (map.isFunctionOfDim(d) != (d < parallel))
        return op.emitOpError(d < parallel
                                  ? "leaves a parallel loop out of an output: threads would race"
                                  : "writes its output along a reduction loop");
  }
  return success();
}

struct GpuMapLoopNests : marthe::impl::GpuMapLoopNestsBase<GpuMapLoopNests> {
  using Base::Base;

  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (fn.isExternal())
        continue;
      if (failed(mapFunction(fn)) || failed(checkHostCode(fn)))
        return signalPassFailure();
    }
  }

  LogicalResult mapFunction(func::FuncOp fn) {
    IRRewriter rewriter(fn.getContext());
    Block &block = fn.getBody().front();
    for (auto copy : llvm::make_early_inc_range(block.getOps<memref::CopyOp>())) {
      rewriter.setInsertionPoint(copy);
      linalg::makeMemRefCopyOp(rewriter, copy.getLoc(), copy.getSource(), copy.getTarget());
      rewriter.eraseOp(copy);
    }
    // Generics first: they take the fills of their outputs as initial values.
    SmallVector<linalg::GenericOp> nests(block.getOps<linalg::GenericOp>());
    for (linalg::GenericOp nest : nests)
      if (failed(mapGeneric(rewriter, nest)))
        return failure();
    SmallVector<linalg::LinalgOp> named(block.getOps<linalg::LinalgOp>());
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> generic = linalg::generalizeNamedOp(rewriter, op);
      if (failed(generic))
        return op->emitOpError("has no generic form to map to the GPU");
      if (failed(mapGeneric(rewriter, *generic)))
        return failure();
    }
    return success();
  }

  LogicalResult mapGeneric(RewriterBase &rewriter, linalg::GenericOp nest) {
    linalg::GenericOp op = parallelLoopsFirst(rewriter, nest);
    if (failed(checkMappable(op)))
      return failure();
    if (isLongSum(op))
      toBlockSums(op);
    else
      toLaunch(op);
    return success();
  }

  /// Sums of at least `blockSumMinimum` terms per output element (per-channel
  /// statistics, bias gradients), which one thread per output would walk
  /// alone.
  bool isLongSum(linalg::GenericOp op) {
    if (op.getNumReductionLoops() == 0 || op.hasIndexSemantics() || !sumsIntoOutputs(op))
      return false;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    return product(ArrayRef<int64_t>(ranges).drop_front(op.getNumParallelLoops())) >=
           blockSumMinimum;
  }

  /// One block per output element (linearized, row-major): its threads
  /// accumulate strided shares of the terms with the body, the block adds
  /// them up (gpu.all_reduce, in a fixed order), and thread 0 adds the sum to
  /// the output's initial value and stores it.
  void toBlockSums(linalg::GenericOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    unsigned parallel = op.getNumParallelLoops();
    ArrayRef<int64_t> outputsOver = ArrayRef<int64_t>(ranges).take_front(parallel);
    ArrayRef<int64_t> termsOver = ArrayRef<int64_t>(ranges).drop_front(parallel);
    int64_t outputs = product(outputsOver), terms = product(termsOver);
    SmallVector<std::optional<Value>> fills = takeFills(op);
    if (outputs == 0)
      return op.erase();
    OpBuilder b(op);
    Location loc = op.getLoc();
    gpu::LaunchOp launch = createLaunch(b, loc, outputs, threadsPerBlock);
    SmallVector<Value> indices = delinearize(b, loc, launch.getBlockIds().x, outputsOver);
    SmallVector<Type> types;
    for (Value init : op.getDpsInits())
      types.push_back(llvm::cast<MemRefType>(init.getType()).getElementType());
    // One op per statement: the order of a call's arguments is unspecified.
    Value end = arith::ConstantIndexOp::create(b, loc, terms);
    Value stride = arith::ConstantIndexOp::create(b, loc, threadsPerBlock);
    SmallVector<Value> zeros = zerosOf(b, loc, types);
    auto loop = scf::ForOp::create(
        b, loc, launch.getThreadIds().x, end, stride, zeros,
        [&](OpBuilder &nested, Location nestedLoc, Value term, ValueRange partials) {
          SmallVector<Value> all(indices);
          llvm::append_range(all, delinearize(nested, nestedLoc, term, termsOver));
          scf::YieldOp::create(nested, nestedLoc,
                               evaluateBody(nested, nestedLoc, op, all, partials));
        });
    SmallVector<Value> sums = blockSums(b, loc, loop.getResults());
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    indices.resize(ranges.size(), zero); // outputs do not depend on reduction loops
    inFirstThread(b, launch, [&] {
      for (auto [init, fill, sum] : llvm::zip(op.getDpsInitsMutable(), fills, sums)) {
        Value initial = fill ? *fill : loadOperand(b, loc, op, init, indices);
        storeOperand(b, loc, op, init, arith::AddFOp::create(b, loc, initial, sum), indices);
      }
    });
    op.erase();
  }

  /// One thread per iteration of the parallel loops (linearized, row-major);
  /// each loads the outputs' initial values (or takes a fill's), runs the
  /// reduction loops with the outputs in registers, and stores them once.
  void toLaunch(linalg::GenericOp op) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    unsigned parallel = op.getNumParallelLoops();
    ArrayRef<int64_t> threadsOver = ArrayRef<int64_t>(ranges).take_front(parallel);
    int64_t total = product(threadsOver);
    SmallVector<std::optional<Value>> fills = takeFills(op);
    if (total == 0)
      return op.erase();
    int64_t threads = std::min<int64_t>(total, threadsPerBlock);
    OpBuilder b(op);
    Location loc = op.getLoc();
    gpu::LaunchOp launch = createLaunch(b, loc, (total + threads - 1) / threads, threads);
    Value linear = globalThreadId(b, launch, threads);
    if (total % threads != 0) {
      Value count = arith::ConstantIndexOp::create(b, loc, total);
      Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, linear, count);
      auto guard = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
      b.setInsertionPoint(guard.thenBlock()->getTerminator());
    }
    SmallVector<Value> indices = delinearize(b, loc, linear, threadsOver);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    indices.resize(ranges.size(), zero); // outputs do not depend on reduction loops
    SmallVector<Value> initial;
    for (auto [init, fill] : llvm::zip(op.getDpsInitsMutable(), fills)) {
      BlockArgument out = op.getMatchingBlockArgument(&init);
      Type type = out.getType();
      initial.push_back(fill                ? *fill
                        : !out.use_empty() ? loadOperand(b, loc, op, init, indices)
                                           : arith::ConstantOp::create(b, loc, b.getZeroAttr(type))
                                                 .getResult());
    }
    SmallVector<Value> lbs, ubs, steps;
    for (int64_t range : ArrayRef<int64_t>(ranges).drop_front(parallel)) {
      lbs.push_back(zero);
      ubs.push_back(arith::ConstantIndexOp::create(b, loc, range));
      steps.push_back(arith::ConstantIndexOp::create(b, loc, 1));
    }
    SmallVector<Value> parallelIndices(ArrayRef<Value>(indices).take_front(parallel));
    scf::LoopNest nest = scf::buildLoopNest(
        b, loc, lbs, ubs, steps, initial,
        [&](OpBuilder &nested, Location nestedLoc, ValueRange reductionIndices,
            ValueRange outputs) -> scf::ValueVector {
          SmallVector<Value> all(parallelIndices);
          llvm::append_range(all, reductionIndices);
          return evaluateBody(nested, nestedLoc, op, all, outputs);
        });
    // (Without reduction loops buildLoopNest evaluates the body once, in place.)
    for (auto [init, value] : llvm::zip(op.getDpsInitsMutable(), nest.results))
      storeOperand(b, loc, op, init, value, indices);
    op.erase();
  }

  /// The host code only launches, calls and makes views: any other read or
  /// write of a buffer would touch device memory from the host.
  LogicalResult checkHostCode(func::FuncOp fn) {
    WalkResult walk = fn.walk<WalkOrder::PreOrder>([](Operation *op) -> WalkResult {
      if (llvm::isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      if (llvm::isa<func::CallOp>(op) ||
          op->getName().getStringRef().starts_with("marthe.library."))
        return WalkResult::advance();
      auto effects = llvm::dyn_cast<MemoryEffectOpInterface>(op);
      if (effects && (effects.hasEffect<MemoryEffects::Read>() ||
                      effects.hasEffect<MemoryEffects::Write>()))
        return op->emitOpError("reads or writes a buffer on the host, but buffers are device "
                               "memory on the CUDA target");
      return WalkResult::advance();
    });
    return failure(walk.wasInterrupted());
  }
};

} // namespace
