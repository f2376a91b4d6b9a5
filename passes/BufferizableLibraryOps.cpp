// One-shot bufferization of the library-call ops: they write their init in
// place, read their other operands, and never read the init.

#include "passes/BufferizableLibraryOps.h"

#include "dialect/MartheOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace {

template <typename LibraryOp>
struct LibraryOpBufferization
    : DstBufferizableOpInterfaceExternalModel<LibraryOpBufferization<LibraryOp>, LibraryOp> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand, const AnalysisState &) const {
    return !llvm::cast<DestinationStyleOpInterface>(op).isDpsInit(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options, BufferizationState &state) const {
    SmallVector<Value> buffers;
    for (Value operand : op->getOperands()) {
      FailureOr<Value> buffer = getBuffer(rewriter, operand, options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    rewriter.setInsertionPoint(op);
    OperationState memrefForm(op->getLoc(), op->getName(), buffers, TypeRange{}, op->getAttrs());
    rewriter.create(memrefForm);
    replaceOpWithBufferizedValues(rewriter, op, buffers.back());
    return success();
  }
};

template <typename... LibraryOps>
void attach(MLIRContext &context) {
  (LibraryOps::template attachInterface<LibraryOpBufferization<LibraryOps>>(context), ...);
}

} // namespace

void marthe::registerBufferizableLibraryOps(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, MartheDialect *) {
    attach<LibraryGemmOp, LibrarySoftmaxXentOp, LibrarySoftmaxXentGradOp,
           LibrarySoftmaxXentHvpOp, LibraryConv2dOp, LibraryConv2dBackwardDataOp,
           LibraryConv2dBackwardFilterOp, LibraryMaxPool2dOp, LibraryMaxUnpool2dOp>(*context);
  });
}
