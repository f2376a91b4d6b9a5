// marthe-lower-to-library-calls: GEMMs and the cross-entropy kernels become
// destination-passing library-call ops, which each target lowers to its
// library (BLAS on the CPU).

#include "passes/FunctionUtils.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace marthe {
#define GEN_PASS_DEF_LOWERTOLIBRARYCALLS
#include "passes/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

template <typename LibraryOp, typename SourceOp>
void replaceWithLibraryCall(IRRewriter &rewriter, SourceOp op, Value lhs, Value rhs) {
  rewriter.setInsertionPoint(op);
  Value init = createEmptyTensor(rewriter, op.getLoc(), op.getType());
  auto call = LibraryOp::create(rewriter, op.getLoc(), op.getType(), lhs, rhs, init);
  rewriter.replaceOp(op, call.getResult());
}

struct LowerToLibraryCalls : marthe::impl::LowerToLibraryCallsBase<LowerToLibraryCalls> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](Operation *op) {
      if (auto matmul = llvm::dyn_cast<MatmulOp>(op)) {
        rewriter.setInsertionPoint(op);
        Value init = createEmptyTensor(rewriter, op->getLoc(), matmul.getType());
        auto gemm = LibraryGemmOp::create(rewriter, op->getLoc(), matmul.getType(), matmul.getLhs(),
                                          matmul.getRhs(), init, matmul.getTransposeLhs(),
                                          matmul.getTransposeRhs());
        rewriter.replaceOp(op, gemm.getResult());
      } else if (auto xent = llvm::dyn_cast<SoftmaxXentOp>(op)) {
        replaceWithLibraryCall<LibrarySoftmaxXentOp>(rewriter, xent, xent.getLogits(),
                                                     xent.getLabels());
      } else if (auto grad = llvm::dyn_cast<SoftmaxXentGradOp>(op)) {
        replaceWithLibraryCall<LibrarySoftmaxXentGradOp>(rewriter, grad, grad.getLogits(),
                                                         grad.getLabels());
      } else if (auto hvp = llvm::dyn_cast<SoftmaxXentHvpOp>(op)) {
        replaceWithLibraryCall<LibrarySoftmaxXentHvpOp>(rewriter, hvp, hvp.getLogits(),
                                                        hvp.getTangent());
      }
    });
  }
};

} // namespace
