#include "frontend/NodeImport.h"

#include "dialect/MartheOps.h"
#include "dialect/Window.h"

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

using namespace mlir;

namespace marthe {
namespace {

const onnx::AttributeProto *findAttribute(const onnx::NodeProto &node, StringRef name) {
  for (const onnx::AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

/// An ints attribute of `size` values, or `fallback` when absent.
llvm::Expected<std::vector<int64_t>> intsAttr(ImportedNode &w, StringRef name, size_t size,
                                              std::vector<int64_t> fallback, int64_t min) {
  const onnx::AttributeProto *attr = findAttribute(w.node, name);
  if (!attr)
    return fallback;
  std::vector<int64_t> values(attr->ints().begin(), attr->ints().end());
  if (values.size() != size)
    return w.error(name + " must have " + llvm::Twine(size) + " values");
  // The largest value keeps window arithmetic (size + pads, kernel *
  // dilation) far inside int64 for tensors of up to 2^36 elements.
  constexpr int64_t kLargest = int64_t(1) << 31;
  for (int64_t value : values)
    if (value < min || value > kLargest)
      return w.error(name + " values must be in [" + llvm::Twine(min) + ", " +
                     llvm::Twine(kLargest) + "], got " + llvm::Twine(value));
  return values;
}

ArrayRef<int64_t> shapeOf(Value v) { return llvm::cast<RankedTensorType>(v.getType()).getShape(); }

/// The window of a node over `input` [N, C, H, W] with `kernel` [R, S]: its
/// strides, dilations and pads, the pads from auto_pad when it is set.
llvm::Expected<Window2d> readWindow(ImportedNode &w, ArrayRef<int64_t> input,
                                    ArrayRef<int64_t> kernel) {
  Window2d window;
  llvm::copy(kernel, window.kernel);
  auto strides = intsAttr(w, "strides", 2, {1, 1}, 1);
  if (!strides)
    return strides.takeError();
  auto dilations = intsAttr(w, "dilations", 2, {1, 1}, 1);
  if (!dilations)
    return dilations.takeError();
  auto pads = intsAttr(w, "pads", 4, {0, 0, 0, 0}, 0);
  if (!pads)
    return pads.takeError();
  llvm::copy(*strides, window.strides);
  llvm::copy(*dilations, window.dilations);
  llvm::copy(*pads, window.pads);
  const onnx::AttributeProto *autoPad = findAttribute(w.node, "auto_pad");
  std::string mode = autoPad ? autoPad->s() : "NOTSET";
  if (mode != "NOTSET" && findAttribute(w.node, "pads"))
    return w.error("pads and auto_pad " + mode + " are both given");
  if (mode == "VALID")
    std::fill(std::begin(window.pads), std::end(window.pads), 0);
  else if (mode == "SAME_UPPER" || mode == "SAME_LOWER")
    for (int axis = 0; axis < 2; ++axis) {
      int64_t size = input[2 + axis], stride = window.strides[axis];
      int64_t outputSize = (size + stride - 1) / stride;
      int64_t total = std::max<int64_t>((outputSize - 1) * stride + window.extent(axis) - size, 0);
      int64_t small = total / 2;
      window.pads[axis] = mode == "SAME_UPPER" ? small : total - small;
      window.pads[axis + 2] = total - window.pads[axis];
    }
  else if (mode != "NOTSET")
    return w.error("auto_pad " + mode + " is not supported");
  for (int axis = 0; axis < 2; ++axis)
    if (window.outputSize(axis, input[2 + axis]) < 1)
      return w.error("the window (extent " + llvm::Twine(window.extent(axis)) +
                     ") does not fit the padded input dimension " + llvm::Twine(input[2 + axis]));
  return window;
}

llvm::Error requireRank4(ImportedNode &w, Value v, StringRef what) {
  if (shapeOf(v).size() != 4)
    return w.error(what + " has rank " + llvm::Twine(shapeOf(v).size()) +
                   "; only 2-D windows over [N, C, H, W] are supported");
  return llvm::Error::success();
}

SmallVector<NamedAttribute> geometryAttrs(OpBuilder &b, const Window2d &window, bool pool) {
  SmallVector<NamedAttribute> attrs;
  if (pool)
    attrs.push_back(b.getNamedAttr("kernel", b.getDenseI64ArrayAttr(window.kernel)));
  attrs.push_back(b.getNamedAttr("strides", b.getDenseI64ArrayAttr(window.strides)));
  attrs.push_back(b.getNamedAttr("pads", b.getDenseI64ArrayAttr(window.pads)));
  attrs.push_back(b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(window.dilations)));
  return attrs;
}

RankedTensorType windowOutputType(Value input, int64_t channels, const Window2d &window) {
  ArrayRef<int64_t> x = shapeOf(input);
  return RankedTensorType::get(
      {x[0], channels, window.outputSize(0, x[2]), window.outputSize(1, x[3])},
      llvm::cast<RankedTensorType>(input.getType()).getElementType());
}

Value conv(OpBuilder &b, Location loc, Value input, Value filter, const Window2d &window,
           int64_t groups) {
  SmallVector<NamedAttribute> attrs = geometryAttrs(b, window, false);
  attrs.push_back(b.getNamedAttr("groups", b.getI64IntegerAttr(groups)));
  Type type = windowOutputType(input, shapeOf(filter)[0], window);
  return Conv2dOp::create(b, loc, TypeRange{type}, ValueRange{input, filter}, attrs);
}

/// ceil_mode: the end pads grown so that a last, partial window counts, as
/// long as it starts inside the input or its begin padding (ONNX, PyTorch).
void applyCeilMode(Window2d &window, ArrayRef<int64_t> input) {
  for (int axis = 0; axis < 2; ++axis) {
    int64_t size = input[2 + axis], stride = window.strides[axis];
    int64_t span = size + window.pads[axis] + window.pads[axis + 2] - window.extent(axis);
    int64_t outputSize = (span + stride - 1) / stride + 1;
    if ((outputSize - 1) * stride >= size + window.pads[axis])
      --outputSize;
    window.pads[axis + 2] =
        std::max(window.pads[axis + 2],
                 (outputSize - 1) * stride + window.extent(axis) - size - window.pads[axis]);
  }
}

llvm::Expected<Window2d> poolWindow(ImportedNode &w, Value input) {
  if (llvm::Error error = requireRank4(w, input, "the input"))
    return std::move(error);
  auto kernel = intsAttr(w, "kernel_shape", 2, {}, 1);
  if (!kernel)
    return kernel.takeError();
  if (kernel->empty())
    return w.error("kernel_shape is required");
  if (w.node.output_size() > 1 && !w.node.output(1).empty())
    return w.error("the Indices output is not supported");
  return readWindow(w, shapeOf(input), *kernel);
}

} // namespace

llvm::Expected<Value> importConv(ImportedNode w, Value input, Value filter,
                                 std::optional<Value> bias) {
  if (llvm::Error error = requireRank4(w, input, "the input"))
    return std::move(error);
  if (llvm::Error error = requireRank4(w, filter, "the filter"))
    return std::move(error);
  ArrayRef<int64_t> x = shapeOf(input), f = shapeOf(filter);
  auto kernelShape = intsAttr(w, "kernel_shape", 2, {f[2], f[3]}, 1);
  if (!kernelShape)
    return kernelShape.takeError();
  if (ArrayRef<int64_t>(*kernelShape) != f.drop_front(2))
    return w.error("kernel_shape does not match the filter's shape");
  const onnx::AttributeProto *groupAttr = findAttribute(w.node, "group");
  int64_t groups = groupAttr ? groupAttr->i() : 1;
  if (groups < 1 || x[1] % groups || f[0] % groups || f[1] * groups != x[1])
    return w.error("the filter [" + llvm::Twine(f[0]) + ", " + llvm::Twine(f[1]) +
                   ", ...] does not fit " + llvm::Twine(x[1]) + " input channels in " +
                   llvm::Twine(groups) + " groups");
  auto window = readWindow(w, x, f.drop_front(2));
  if (!window)
    return window.takeError();
  Value y = conv(w.builder, w.loc, input, filter, *window, groups);
  if (!bias)
    return y;
  if (shapeOf(*bias) != ArrayRef<int64_t>{f[0]})
    return w.error("the bias must be [" + llvm::Twine(f[0]) + "]");
  Type elementType = llvm::cast<RankedTensorType>(y.getType()).getElementType();
  Value column = ReshapeOp::create(w.builder, w.loc,
                                   RankedTensorType::get({1, f[0], 1, 1}, elementType), *bias);
  Value spread = BroadcastOp::create(w.builder, w.loc, y.getType(), column);
  return Value(AddOp::create(w.builder, w.loc, y, spread));
}

llvm::Expected<Value> importMaxPool(ImportedNode w, Value input) {
  auto window = poolWindow(w, input);
  if (!window)
    return window.takeError();
  const onnx::AttributeProto *ceil = findAttribute(w.node, "ceil_mode");
  if (ceil && ceil->i())
    applyCeilMode(*window, shapeOf(input));
  Type type = windowOutputType(input, shapeOf(input)[1], *window);
  return Value(MaxPool2dOp::create(w.builder, w.loc, TypeRange{type}, ValueRange{input, input},
                                   geometryAttrs(w.builder, *window, true)));
}

/// A depthwise convolution with a constant filter of ones, scaled per output
/// position by 1 / (the number of window taps counted: those inside the input,
/// or inside the padded input with count_include_pad).
llvm::Expected<Value> importAveragePool(ImportedNode w, Value input) {
  auto window = poolWindow(w, input);
  if (!window)
    return window.takeError();
  ArrayRef<int64_t> x = shapeOf(input);
  Window2d counted = *window;
  const onnx::AttributeProto *ceil = findAttribute(w.node, "ceil_mode");
  if (ceil && ceil->i())
    applyCeilMode(*window, x);
  const onnx::AttributeProto *includePad = findAttribute(w.node, "count_include_pad");
  bool countPads = includePad && includePad->i();

  OpBuilder &b = w.builder;
  Type elementType = llvm::cast<RankedTensorType>(input.getType()).getElementType();
  auto filterType =
      RankedTensorType::get({x[1], 1, window->kernel[0], window->kernel[1]}, elementType);
  Value ones = ConstantOp::createSplat(b, w.loc, filterType, 1.0);
  Value sums = conv(b, w.loc, input, ones, *window, x[1]);

  ArrayRef<int64_t> out = shapeOf(sums);
  std::vector<double> scale;
  for (int64_t p = 0; p < out[2]; ++p)
    for (int64_t q = 0; q < out[3]; ++q) {
      int64_t taps[2];
      for (int axis = 0; axis < 2; ++axis) {
        int64_t begin = countPads ? -counted.pads[axis] : 0;
        int64_t end = x[2 + axis] + (countPads ? counted.pads[axis + 2] : 0);
        int64_t first = (axis ? q : p) * window->strides[axis] - window->pads[axis];
        taps[axis] = 0;
        for (int64_t k = 0; k < window->kernel[axis]; ++k) {
          int64_t at = first + k * window->dilations[axis];
          taps[axis] += at >= begin && at < end;
        }
      }
      scale.push_back(taps[0] * taps[1] != 0 ? 1.0 / double(taps[0] * taps[1]) : 0.0);
    }
  auto scaleType = RankedTensorType::get({out[2], out[3]}, elementType);
  SmallVector<float> narrow(scale.begin(), scale.end());
  Attribute values = elementType.isF64()
                         ? DenseElementsAttr::get(scaleType, ArrayRef<double>(scale))
                         : DenseElementsAttr::get(scaleType, ArrayRef<float>(narrow));
  Value divisor = ConstantOp::create(b, w.loc, llvm::cast<TypedAttr>(values));
  return Value(MulOp::create(b, w.loc, sums, divisor));
}

} // namespace marthe
