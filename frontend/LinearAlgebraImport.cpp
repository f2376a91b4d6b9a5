// Linear algebra: Gemm and MatMul as marthe.matmul.

#include "frontend/NodeImport.h"

#include "dialect/MartheOps.h"

#include <onnx/onnx_pb.h>

using namespace mlir;

namespace marthe {
namespace {

int64_t rankOf(Value v) { return shapeOf(v).size(); }

/// The dimension `v` contributes to the contraction (its first if transposed).
int64_t contraction(Value v, bool first) { return shapeOf(v)[first ? 0 : 1]; }

/// alpha op(A) op(B) + beta C, C broadcast.
llvm::Expected<Value> importGemm(NodeImport &node) {
  auto ab = node.operands(2);
  if (!ab)
    return ab.takeError();
  Value a = (*ab)[0], b = (*ab)[1];
  bool transA = node.intAttr("transA", 0), transB = node.intAttr("transB", 0);
  if (rankOf(a) != 2 || rankOf(b) != 2)
    return node.error("A and B must be 2-D");
  if (contraction(a, transA) != contraction(b, !transB))
    return node.error("inner dimensions of A and B differ");
  Value y = MatmulOp::create(node.builder, node.loc, a, b, transA, transB);
  if (float alpha = node.floatAttr("alpha", 1.0f); alpha != 1.0f)
    y = MulOp::create(node.builder, node.loc, node.scalar(alpha), y);
  if (!node.hasInput(2))
    return y;
  auto c = node.operand(2);
  if (!c)
    return c.takeError();
  Value bias = *c;
  if (float beta = node.floatAttr("beta", 1.0f); beta != 1.0f)
    bias = MulOp::create(node.builder, node.loc, node.scalar(beta), bias);
  return node.broadcastBinary<AddOp>(y, bias);
}

/// A [..., M, K] times B [K, N]: the leading dimensions of A fold into M
/// (a Linear layer applied to every position of a sequence or an image).
llvm::Expected<Value> importMatMul(NodeImport &node) {
  auto ab = node.operands(2);
  if (!ab)
    return ab.takeError();
  Value a = (*ab)[0], b = (*ab)[1];
  if (rankOf(a) < 2 || rankOf(b) != 2)
    return node.error("MatMul of " + shapeText(shapeOf(a)) + " and " + shapeText(shapeOf(b)) +
                      " is not supported (A of rank 2 or more, B of rank 2)");
  ArrayRef<int64_t> aShape = shapeOf(a);
  int64_t k = aShape.back(), n = shapeOf(b)[1];
  if (k != shapeOf(b)[0])
    return node.error("inner dimensions of A and B differ");
  int64_t rows = 1;
  for (int64_t d : aShape.drop_back())
    rows *= d;
  Value flat = node.reshape(a, {rows, k});
  Value product = MatmulOp::create(node.builder, node.loc, flat, b, false, false);
  SmallVector<int64_t> shape(aShape.drop_back());
  shape.push_back(n);
  return node.reshape(product, shape);
}

} // namespace

void registerLinearAlgebraOps(OpRegistry &registry) {
  registry.add("Gemm", {13}, importGemm);
  registry.add("MatMul", {13}, importMatMul);
}

} // namespace marthe
