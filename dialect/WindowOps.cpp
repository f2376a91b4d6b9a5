// Verifiers of the window ops (MartheWindowOps.td) and of their library forms.

#include "dialect/MartheOps.h"
#include "dialect/Window.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace marthe;

static ArrayRef<int64_t> shapeOf(Value value) {
  return llvm::cast<ShapedType>(value.getType()).getShape();
}

static FailureOr<ArrayRef<int64_t>> arrayAttr(Operation *op, StringRef name, size_t size,
                                              int64_t min) {
  auto attr = op->getAttrOfType<DenseI64ArrayAttr>(name);
  if (!attr || attr.size() != int64_t(size))
    return op->emitOpError("needs '") << name << "' with " << size << " values";
  for (int64_t value : attr.asArrayRef())
    if (value < min)
      return op->emitOpError("'") << name << "' values must be >= " << min;
  return attr.asArrayRef();
}

FailureOr<Window2d> Window2d::fromAttributes(Operation *op, ArrayRef<int64_t> kernel) {
  Window2d window;
  if (kernel.empty()) {
    FailureOr<ArrayRef<int64_t>> attr = arrayAttr(op, "kernel", 2, 1);
    if (failed(attr))
      return failure();
    kernel = *attr;
  }
  FailureOr<ArrayRef<int64_t>> strides = arrayAttr(op, "strides", 2, 1);
  FailureOr<ArrayRef<int64_t>> pads = arrayAttr(op, "pads", 4, 0);
  FailureOr<ArrayRef<int64_t>> dilations = arrayAttr(op, "dilations", 2, 1);
  if (failed(strides) || failed(pads) || failed(dilations))
    return failure();
  llvm::copy(kernel, window.kernel);
  llvm::copy(*strides, window.strides);
  llvm::copy(*pads, window.pads);
  llvm::copy(*dilations, window.dilations);
  return window;
}

static LogicalResult verifyOutputSize(Operation *op, const Window2d &window,
                                      ArrayRef<int64_t> input, ArrayRef<int64_t> output) {
  for (int axis = 0; axis < 2; ++axis) {
    int64_t expected = window.outputSize(axis, input[2 + axis]);
    if (expected < 1)
      return op->emitOpError("window of extent ")
             << window.extent(axis) << " does not fit the padded input " << input[2 + axis];
    if (output[2 + axis] != expected)
      return op->emitOpError("output dimension ")
             << 2 + axis << " is " << output[2 + axis] << ", expected " << expected;
  }
  return success();
}

static LogicalResult verifyRank4(Operation *op, ArrayRef<ArrayRef<int64_t>> shapes) {
  for (ArrayRef<int64_t> shape : shapes)
    if (shape.size() != 4)
      return op->emitOpError("operands and result must be 4-D [N, C, H, W]");
  return success();
}

LogicalResult marthe::verifyConvShapes(Operation *op, ArrayRef<int64_t> input,
                                       ArrayRef<int64_t> filter, ArrayRef<int64_t> output) {
  if (failed(verifyRank4(op, {input, filter, output})))
    return failure();
  FailureOr<Window2d> window = Window2d::fromAttributes(op, filter.drop_front(2));
  if (failed(window))
    return failure();
  auto groups = op->getAttrOfType<IntegerAttr>("groups");
  int64_t g = groups ? groups.getInt() : 0;
  if (g < 1 || input[1] % g != 0 || filter[0] % g != 0)
    return op->emitOpError("groups (") << g << ") must divide the input channels (" << input[1]
                                       << ") and the filters (" << filter[0] << ")";
  if (filter[1] * g != input[1])
    return op->emitOpError("filter has ")
           << filter[1] << " input channels per group, expected " << input[1] / g;
  if (output[0] != input[0] || output[1] != filter[0])
    return op->emitOpError("output must be [") << input[0] << ", " << filter[0] << ", P, Q]";
  return verifyOutputSize(op, *window, input, output);
}

LogicalResult marthe::verifyPoolShapes(Operation *op, ArrayRef<int64_t> input,
                                       ArrayRef<int64_t> output) {
  if (failed(verifyRank4(op, {input, output})))
    return failure();
  FailureOr<Window2d> window = Window2d::fromAttributes(op, {});
  if (failed(window))
    return failure();
  if (output[0] != input[0] || output[1] != input[1])
    return op->emitOpError("output must keep the batch and channel dimensions");
  return verifyOutputSize(op, *window, input, output);
}

static LogicalResult verifySameElementType(Operation *op) {
  Type element = getElementTypeOrSelf(op->getOperand(0).getType());
  for (Value value : llvm::concat<Value>(op->getOperands(), op->getResults()))
    if (getElementTypeOrSelf(value.getType()) != element)
      return op->emitOpError("mixes element types");
  return success();
}

LogicalResult Conv2dOp::verify() {
  if (failed(verifySameElementType(*this)))
    return failure();
  return verifyConvShapes(*this, shapeOf(getInput()), shapeOf(getFilter()), shapeOf(getResult()));
}

LogicalResult Conv2dBackwardDataOp::verify() {
  if (failed(verifySameElementType(*this)))
    return failure();
  return verifyConvShapes(*this, shapeOf(getResult()), shapeOf(getFilter()),
                          shapeOf(getOutputAdjoint()));
}

LogicalResult Conv2dBackwardFilterOp::verify() {
  if (failed(verifySameElementType(*this)))
    return failure();
  return verifyConvShapes(*this, shapeOf(getInput()), shapeOf(getResult()),
                          shapeOf(getOutputAdjoint()));
}

LogicalResult MaxPool2dOp::verify() {
  if (failed(verifySameElementType(*this)))
    return failure();
  if (shapeOf(getKeys()) != shapeOf(getValues()))
    return emitOpError("keys and values must have one shape");
  return verifyPoolShapes(*this, shapeOf(getKeys()), shapeOf(getResult()));
}

LogicalResult MaxUnpool2dOp::verify() {
  if (failed(verifySameElementType(*this)))
    return failure();
  if (shapeOf(getKeys()) != shapeOf(getResult()))
    return emitOpError("the result must have the shape of the keys");
  return verifyPoolShapes(*this, shapeOf(getKeys()), shapeOf(getValues()));
}
