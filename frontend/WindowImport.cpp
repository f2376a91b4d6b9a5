#include "frontend/NodeImport.h"

#include "dialect/MartheOps.h"
#include "dialect/Window.h"

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

using namespace mlir;

namespace marthe {
namespace {

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


/// A 1-D window's values (a kernel, strides or dilations [L], pads [begin,
/// end]) as those of the 2-D window over [N, C, 1, L] whose first axis is
/// the identity: kernel, stride and dilation 1, no padding.
std::vector<int64_t> asTwoD(const std::vector<int64_t> &values, size_t spatialRank,
                            int64_t identity) {
  if (spatialRank == 2 || values.empty())
    return values;
  if (values.size() == 1)
    return {identity, values[0]};
  return {identity, values[0], identity, values[1]};
}

/// The window of a node with `spatialRank` (1 or 2) window axes over
/// `input` [N, C, H, W] (a 1-D input as [N, C, 1, L]) with `kernel` [R, S]:
/// its strides, dilations and pads, the pads from auto_pad when it is set.
llvm::Expected<Window2d> readWindow(ImportedNode &w, ArrayRef<int64_t> input,
                                    ArrayRef<int64_t> kernel, size_t spatialRank) {
  Window2d window;
  llvm::copy(kernel, window.kernel);
  std::vector<int64_t> ones(spatialRank, 1), zeros(2 * spatialRank, 0);
  auto strides = intsAttr(w, "strides", spatialRank, ones, 1);
  if (!strides)
    return strides.takeError();
  auto dilations = intsAttr(w, "dilations", spatialRank, ones, 1);
  if (!dilations)
    return dilations.takeError();
  auto pads = intsAttr(w, "pads", 2 * spatialRank, zeros, 0);
  if (!pads)
    return pads.takeError();
  llvm::copy(asTwoD(*strides, spatialRank, 1), window.strides);
  llvm::copy(asTwoD(*dilations, spatialRank, 1), window.dilations);
  llvm::copy(asTwoD(*pads, spatialRank, 0), window.pads);
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

/// The number of window axes of `v`: 1 for [N, C, L], 2 for [N, C, H, W].
llvm::Expected<size_t> spatialRankOf(ImportedNode &w, Value v, StringRef what) {
  size_t rank = shapeOf(v).size();
  if (rank != 3 && rank != 4)
    return w.error(what + " has rank " + llvm::Twine(rank) +
                   "; only 1-D and 2-D windows over [N, C, L] or [N, C, H, W] are supported");
  return rank - 2;
}

/// [N, C, L] as [N, C, 1, L]; a 4-D value as it is.
Value asFourD(OpBuilder &b, Location loc, Value v) {
  auto type = llvm::cast<RankedTensorType>(v.getType());
  if (type.getRank() == 4)
    return v;
  ArrayRef<int64_t> shape = type.getShape();
  return ReshapeOp::create(
      b, loc, RankedTensorType::get({shape[0], shape[1], 1, shape[2]}, type.getElementType()), v);
}

/// A window op's 4-D result back in the input's rank.
Value inRankOf(OpBuilder &b, Location loc, Value result, Value input) {
  if (shapeOf(input).size() == 4)
    return result;
  auto type = llvm::cast<RankedTensorType>(result.getType());
  ArrayRef<int64_t> shape = type.getShape();
  return ReshapeOp::create(
      b, loc, RankedTensorType::get({shape[0], shape[1], shape[3]}, type.getElementType()),
      result);
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

/// A pooling's window over `input` in 4-D form.
llvm::Expected<Window2d> poolWindow(ImportedNode &w, Value input, size_t spatialRank) {
  auto kernel = intsAttr(w, "kernel_shape", spatialRank, {}, 1);
  if (!kernel)
    return kernel.takeError();
  if (kernel->empty())
    return w.error("kernel_shape is required");
  if (w.node.output_size() > 1 && !w.node.output(1).empty())
    return w.error("the Indices output is not supported");
  return readWindow(w, shapeOf(input), asTwoD(*kernel, spatialRank, 1), spatialRank);
}

llvm::Expected<Value> convolution(ImportedNode w, Value input, Value filter,
                                  std::optional<Value> bias) {
  auto spatialRank = spatialRankOf(w, input, "the input");
  if (!spatialRank)
    return spatialRank.takeError();
  if (shapeOf(filter).size() != shapeOf(input).size())
    return w.error("the filter has rank " + llvm::Twine(shapeOf(filter).size()) +
                   " but the input has rank " + llvm::Twine(shapeOf(input).size()));
  ArrayRef<int64_t> x = shapeOf(input), f = shapeOf(filter);
  std::vector<int64_t> filterKernel(f.begin() + 2, f.end());
  auto kernelShape = intsAttr(w, "kernel_shape", *spatialRank, filterKernel, 1);
  if (!kernelShape)
    return kernelShape.takeError();
  if (*kernelShape != filterKernel)
    return w.error("kernel_shape does not match the filter's shape");
  const onnx::AttributeProto *groupAttr = findAttribute(w.node, "group");
  int64_t groups = groupAttr ? groupAttr->i() : 1;
  if (groups < 1 || x[1] % groups || f[0] % groups || f[1] * groups != x[1])
    return w.error("the filter [" + llvm::Twine(f[0]) + ", " + llvm::Twine(f[1]) +
                   ", ...] does not fit " + llvm::Twine(x[1]) + " input channels in " +
                   llvm::Twine(groups) + " groups");
  OpBuilder &b = w.builder;
  Value input4d = asFourD(b, w.loc, input), filter4d = asFourD(b, w.loc, filter);
  auto window = readWindow(w, shapeOf(input4d), shapeOf(filter4d).drop_front(2), *spatialRank);
  if (!window)
    return window.takeError();
  Value y = conv(b, w.loc, input4d, filter4d, *window, groups);
  if (bias) {
    if (shapeOf(*bias) != ArrayRef<int64_t>{f[0]})
      return w.error("the bias must be [" + llvm::Twine(f[0]) + "]");
    Type elementType = llvm::cast<RankedTensorType>(y.getType()).getElementType();
    Value column =
        ReshapeOp::create(b, w.loc, RankedTensorType::get({1, f[0], 1, 1}, elementType), *bias);
    Value spread = BroadcastOp::create(b, w.loc, y.getType(), column);
    y = AddOp::create(b, w.loc, y, spread);
  }
  return inRankOf(b, w.loc, y, input);
}

llvm::Expected<Value> importConv(NodeImport &w) {
  auto input = w.operand(0);
  if (!input)
    return input.takeError();
  auto filter = w.operand(1);
  if (!filter)
    return filter.takeError();
  std::optional<Value> bias;
  if (w.hasInput(2)) {
    auto value = w.operand(2);
    if (!value)
      return value.takeError();
    bias = *value;
  }
  return convolution(w, *input, *filter, bias);
}

llvm::Expected<Value> importMaxPool(NodeImport &w) {
  auto operand = w.operand(0);
  if (!operand)
    return operand.takeError();
  Value input = *operand;
  auto spatialRank = spatialRankOf(w, input, "the input");
  if (!spatialRank)
    return spatialRank.takeError();
  Value input4d = asFourD(w.builder, w.loc, input);
  auto window = poolWindow(w, input4d, *spatialRank);
  if (!window)
    return window.takeError();
  const onnx::AttributeProto *ceil = findAttribute(w.node, "ceil_mode");
  if (ceil && ceil->i())
    applyCeilMode(*window, shapeOf(input4d));
  Type type = windowOutputType(input4d, shapeOf(input4d)[1], *window);
  Value pooled = MaxPool2dOp::create(w.builder, w.loc, TypeRange{type},
                                     ValueRange{input4d, input4d},
                                     geometryAttrs(w.builder, *window, true));
  return inRankOf(w.builder, w.loc, pooled, input);
}

/// A depthwise convolution with a constant filter of ones, scaled per output
/// position by 1 / (the number of window taps counted: those inside the input,
/// or inside the padded input with count_include_pad).
llvm::Expected<Value> importAveragePool(NodeImport &w) {
  auto operand = w.operand(0);
  if (!operand)
    return operand.takeError();
  Value input = *operand;
  auto spatialRank = spatialRankOf(w, input, "the input");
  if (!spatialRank)
    return spatialRank.takeError();
  Value input4d = asFourD(w.builder, w.loc, input);
  auto window = poolWindow(w, input4d, *spatialRank);
  if (!window)
    return window.takeError();
  ArrayRef<int64_t> x = shapeOf(input4d);
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
  Value sums = conv(b, w.loc, input4d, ones, *window, x[1]);

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
  return inRankOf(b, w.loc, MulOp::create(b, w.loc, sums, divisor), input);
}

/// The mean over the spatial dimensions of [N, C, spatial...], as
/// [N, C, 1, ...].
llvm::Expected<Value> importGlobalAveragePool(NodeImport &node) {
  auto input = node.operand(0);
  if (!input)
    return input.takeError();
  ArrayRef<int64_t> shape = shapeOf(*input);
  if (shape.size() < 3)
    return node.error("the input must be [N, C, spatial...]");
  SmallVector<int64_t> kept(shape.take_front(2));
  kept.append(shape.size() - 2, 1);
  double count = 1;
  for (int64_t d : shape.drop_front(2))
    count *= d;
  auto type = RankedTensorType::get(kept, node.elementType());
  Value sum = ReduceSumOp::create(node.builder, node.loc, type, *input);
  return Value(MulOp::create(node.builder, node.loc, sum, node.scalar(1.0 / count)));
}

} // namespace

void registerWindowOps(OpRegistry &registry) {
  registry.add("Conv", {11}, importConv);
  registry.add("MaxPool", {12}, importMaxPool);
  registry.add("AveragePool", {11, 19}, importAveragePool);
  registry.add("GlobalAveragePool", {1}, importGlobalAveragePool);
}

} // namespace marthe
