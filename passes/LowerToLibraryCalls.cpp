// marthe-lower-to-library-calls: GEMMs, the cross-entropy kernels, convolutions
// and max pooling become destination-passing library-call ops, which each
// target lowers to its library (BLAS and oneDNN on the CPU).

#include "passes/FunctionUtils.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

namespace marthe {
#define GEN_PASS_DEF_LOWERTOLIBRARYCALLS
#include "passes/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

/// Replaces `op` by `LibraryOp` on its operands and attributes, writing a
/// fresh init of the result type.
template <typename LibraryOp>
void replaceWithLibraryCall(IRRewriter &rewriter, Operation *op) {
  rewriter.setInsertionPoint(op);
  Type type = op->getResult(0).getType();
  SmallVector<Value> operands(op->getOperands());
  operands.push_back(createEmptyTensor(rewriter, op->getLoc(), type));
  Operation *call = LibraryOp::create(rewriter, op->getLoc(), TypeRange{type}, operands,
                                      op->getAttrs());
  rewriter.replaceOp(op, call->getResults());
}

struct LowerToLibraryCalls : marthe::impl::LowerToLibraryCallsBase<LowerToLibraryCalls> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](Operation *op) {
      llvm::TypeSwitch<Operation *>(op)
          .Case([&](MatmulOp) { replaceWithLibraryCall<LibraryGemmOp>(rewriter, op); })
          .Case([&](SoftmaxXentOp) { replaceWithLibraryCall<LibrarySoftmaxXentOp>(rewriter, op); })
          .Case([&](SoftmaxXentGradOp) {
            replaceWithLibraryCall<LibrarySoftmaxXentGradOp>(rewriter, op);
          })
          .Case([&](SoftmaxXentHvpOp) {
            replaceWithLibraryCall<LibrarySoftmaxXentHvpOp>(rewriter, op);
          })
          .Case([&](Conv2dOp) { replaceWithLibraryCall<LibraryConv2dOp>(rewriter, op); })
          .Case([&](Conv2dBackwardDataOp) {
            replaceWithLibraryCall<LibraryConv2dBackwardDataOp>(rewriter, op);
          })
          .Case([&](Conv2dBackwardFilterOp) {
            replaceWithLibraryCall<LibraryConv2dBackwardFilterOp>(rewriter, op);
          })
          .Case([&](MaxPool2dOp) { replaceWithLibraryCall<LibraryMaxPool2dOp>(rewriter, op); })
          .Case([&](MaxUnpool2dOp) {
            replaceWithLibraryCall<LibraryMaxUnpool2dOp>(rewriter, op);
          });
    });
  }
};

} // namespace
