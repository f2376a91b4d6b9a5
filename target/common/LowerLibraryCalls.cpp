// marthe-lower-library-calls-to-runtime: library-call ops -> calls of a
// target runtime's C kernels (BLAS or cuBLAS for GEMMs, oneDNN or cuDNN for
// convolutions).

#include "target/common/Target.h"

#include "dialect/MartheOps.h"
#include "dialect/Window.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

namespace marthe {
#define GEN_PASS_DEF_LOWERLIBRARYCALLSTORUNTIME
#include "target/common/Passes.h.inc"
} // namespace marthe

using namespace mlir;
using namespace marthe;

namespace {

class RuntimeCallBuilder {
public:
  RuntimeCallBuilder(ModuleOp module) : module(module), builder(module.getContext()) {}

  /// Calls `<name>_<f32|f64>` with `buffers` as pointers, then `sizes` (i64)
  /// and `flags` (i32).
  LogicalResult call(Operation *op, const Twine &name, ValueRange buffers, ArrayRef<int64_t> sizes,
                     ArrayRef<bool> flags) {
    builder.setInsertionPoint(op);
    Location loc = op->getLoc();
    SmallVector<Value> args;
    for (Value buffer : buffers) {
      auto type = llvm::cast<MemRefType>(buffer.getType());
      if (!type.getLayout().isIdentity())
        return op->emitOpError("needs identity-layout buffers");
      Value address = memref::ExtractAlignedPointerAsIndexOp::create(builder, loc, buffer);
      Value integer = arith::IndexCastOp::create(builder, loc, builder.getI64Type(), address);
      args.push_back(LLVM::IntToPtrOp::create(builder, loc, pointerType(), integer));
    }
    for (int64_t size : sizes)
      args.push_back(arith::ConstantIntOp::create(builder, loc, size, 64));
    for (bool flag : flags)
      args.push_back(arith::ConstantIntOp::create(builder, loc, flag, 32));
    Type element = getElementTypeOrSelf(buffers.back().getType());
    std::string symbol = (name + (element.isF64() ? "_f64" : "_f32")).str();
    func::FuncOp callee = declare(symbol, TypeRange(ValueRange(args)));
    func::CallOp::create(builder, loc, callee, args);
    op->erase();
    return success();
  }

private:
  Type pointerType() { return LLVM::LLVMPointerType::get(module.getContext()); }

  func::FuncOp declare(StringRef symbol, TypeRange argTypes) {
    if (auto existing = module.lookupSymbol<func::FuncOp>(symbol))
      return existing;
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(module.getBody());
    auto fn = func::FuncOp::create(builder, module.getLoc(), symbol,
                                   builder.getFunctionType(argTypes, {}));
    fn.setPrivate();
    return fn;
  }

  ModuleOp module;
  OpBuilder builder;
};

ArrayRef<int64_t> shapeOf(Value value) {
  return llvm::cast<MemRefType>(value.getType()).getShape();
}

/// The sizes a window kernel takes (runtime/KernelAbi.h): input [N, C, H, W],
/// output [P, Q], then the kernel extent, strides, pads and dilations.
SmallVector<int64_t> windowSizes(ArrayRef<int64_t> input, ArrayRef<int64_t> output,
                                 const Window2d &window) {
  SmallVector<int64_t> sizes(input);
  sizes.append({output[2], output[3]});
  sizes.append(std::begin(window.kernel), std::end(window.kernel));
  sizes.append(std::begin(window.strides), std::end(window.strides));
  sizes.append(std::begin(window.pads), std::end(window.pads));
  sizes.append(std::begin(window.dilations), std::end(window.dilations));
  return sizes;
}

/// Convolutions add the output channels and the groups.
SmallVector<int64_t> convSizes(Operation *op, ArrayRef<int64_t> input, ArrayRef<int64_t> filter,
                               ArrayRef<int64_t> output) {
  Window2d window = *Window2d::fromAttributes(op, filter.drop_front(2));
  SmallVector<int64_t> sizes = windowSizes(input, output, window);
  sizes.append({filter[0], op->getAttrOfType<IntegerAttr>("groups").getInt()});
  return sizes;
}

SmallVector<int64_t> poolSizes(Operation *op, ArrayRef<int64_t> input, ArrayRef<int64_t> output) {
  return windowSizes(input, output, *Window2d::fromAttributes(op, {}));
}

struct LowerLibraryCallsToRuntime
    : marthe::impl::LowerLibraryCallsToRuntimeBase<LowerLibraryCallsToRuntime> {
  using Base::Base;

  void runOnOperation() override {
    if (runtime != "cpu" && runtime != "cuda") {
      getOperation().emitError("unknown runtime '") << runtime << "' (expected cpu or cuda)";
      return signalPassFailure();
    }
    std::string prefix = runtime == "cpu" ? "marthe_rt_" : "marthe_cuda_";
    RuntimeCallBuilder calls(getOperation());
    SmallVector<Operation *> libraryOps;
    getOperation().walk([&](Operation *op) {
      if (llvm::isa<DestinationStyleOpInterface>(op) &&
          op->getName().getStringRef().starts_with("marthe.library."))
        libraryOps.push_back(op);
    });
    for (Operation *op : libraryOps) {
      LogicalResult lowered =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case<LibraryGemmOp>([&](LibraryGemmOp gemm) {
                ArrayRef<int64_t> out = shapeOf(gemm.getInit()), lhs = shapeOf(gemm.getLhs());
                int64_t k = gemm.getTransposeLhs() ? lhs[0] : lhs[1];
                return calls.call(op, prefix + "gemm", op->getOperands(), {out[0], out[1], k},
                                  {gemm.getTransposeLhs(), gemm.getTransposeRhs()});
              })
              .Case<LibrarySoftmaxXentOp>([&](auto xent) {
                return calls.call(op, prefix + "softmax_xent", op->getOperands(),
                                  shapeOf(xent.getLhs()), {});
              })
              .Case<LibrarySoftmaxXentGradOp>([&](auto grad) {
                return calls.call(op, prefix + "softmax_xent_grad", op->getOperands(),
                                  shapeOf(grad.getLhs()), {});
              })
              .Case<LibrarySoftmaxXentHvpOp>([&](auto hvp) {
                return calls.call(op, prefix + "softmax_xent_hvp", op->getOperands(),
                                  shapeOf(hvp.getLhs()), {});
              })
              .Case<LibraryConv2dOp>([&](auto conv) {
                return calls.call(op, prefix + "conv2d", op->getOperands(),
                                  convSizes(op, shapeOf(conv.getLhs()), shapeOf(conv.getRhs()),
                                            shapeOf(conv.getInit())),
                                  {});
              })
              .Case<LibraryConv2dBackwardDataOp>([&](auto conv) {
                return calls.call(op, prefix + "conv2d_backward_data", op->getOperands(),
                                  convSizes(op, shapeOf(conv.getInit()), shapeOf(conv.getRhs()),
                                            shapeOf(conv.getLhs())),
                                  {});
              })
              .Case<LibraryConv2dBackwardFilterOp>([&](auto conv) {
                return calls.call(op, prefix + "conv2d_backward_filter", op->getOperands(),
                                  convSizes(op, shapeOf(conv.getLhs()), shapeOf(conv.getInit()),
                                            shapeOf(conv.getRhs())),
                                  {});
              })
              .Case<LibraryMaxPool2dOp>([&](auto pool) {
                return calls.call(op, prefix + "max_pool2d", op->getOperands(),
                                  poolSizes(op, shapeOf(pool.getLhs()), shapeOf(pool.getInit())),
                                  {});
              })
              .Case<LibraryMaxUnpool2dOp>([&](auto pool) {
                return calls.call(op, prefix + "max_unpool2d", op->getOperands(),
                                  poolSizes(op, shapeOf(pool.getLhs()), shapeOf(pool.getRhs())),
                                  {});
              })
              .Default([](Operation *other) { return other->emitOpError("has no runtime kernel"); });
      if (failed(lowered))
        return signalPassFailure();
    }
  }
};

} // namespace
