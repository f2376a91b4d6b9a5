#ifndef MARTHE_WINDOW_OPS_TD
#define MARTHE_WINDOW_OPS_TD

// Sliding-window ops on [N, C, H, W] tensors: convolutions and max pooling.
// Each family is closed under differentiation (docs/DESIGN.md §7): the
// derivatives of a convolution are its two backward ops, bilinear like it;
// those of max pooling are max pooling and its scatter, max_unpool.

include "dialect/MartheDialect.td"

class Marthe_WindowOp<string mnemonic, dag operands, dag geometry>
    : Marthe_Op<mnemonic, [Pure, DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let arguments = !con(operands, geometry);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

// pads are [top, left, bottom, right] (ONNX's begin..., end... order);
// dilations are 1 for a dense window.
defvar ConvGeometry = (ins DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                           DenseI64ArrayAttr:$dilations, I64Attr:$groups);
defvar PoolGeometry = (ins DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                           DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$dilations);

def Marthe_Conv2dOp : Marthe_WindowOp<"conv2d",
    (ins FloatTensor:$input, FloatTensor:$filter), ConvGeometry> {
  let summary = "2-D cross-correlation of input [N, C, H, W] with filter [K, C/groups, R, S]";
  let description = [{
    ONNX Conv without bias: the result [N, K, P, Q] has
    P = (H + top + bottom - dilation (R - 1) - 1) / stride + 1 (and Q alike);
    channels split into `groups` independent groups.
    ```mlir
    %y = marthe.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>,
           dilations = array<i64: 1, 1>, groups = 1 : i64}
         : (tensor<8x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<8x16x32x32xf32>
    ```
  }];
}

def Marthe_Conv2dBackwardDataOp : Marthe_WindowOp<"conv2d_backward_data",
    (ins FloatTensor:$output_adjoint, FloatTensor:$filter), ConvGeometry> {
  let summary = "The adjoint of conv2d in its input: [N, K, P, Q] x filter -> [N, C, H, W]";
  let description = [{
    The transposed convolution: ⟨conv2d(x, w), dy⟩ = ⟨x, conv2d_backward_data(dy, w)⟩.
    The result type gives the input's shape.
  }];
}

def Marthe_Conv2dBackwardFilterOp : Marthe_WindowOp<"conv2d_backward_filter",
    (ins FloatTensor:$input, FloatTensor:$output_adjoint), ConvGeometry> {
  let summary = "The adjoint of conv2d in its filter: input x [N, K, P, Q] -> [K, C/groups, R, S]";
  let description = [{
    ⟨conv2d(x, w), dy⟩ = ⟨w, conv2d_backward_filter(x, dy)⟩. The result type
    gives the filter's shape.
  }];
}

def Marthe_MaxPool2dOp : Marthe_WindowOp<"max_pool2d",
    (ins FloatTensor:$keys, FloatTensor:$values), PoolGeometry> {
  let summary = "Per window, the element of `values` where `keys` is largest";
  let description = [{
    Both operands are [N, C, H, W]; the result is [N, C, P, Q]. Padding is
    outside the window (never selected); of equal keys the first in row-major
    window order wins. `max_pool2d(x, x)` is ONNX MaxPool; `max_pool2d(x, t)`
    is its tangent along t, and the op is linear in `values`.
  }];
}

def Marthe_MaxUnpool2dOp : Marthe_WindowOp<"max_unpool2d",
    (ins FloatTensor:$keys, FloatTensor:$values), PoolGeometry> {
  let summary = "Scatters `values` [N, C, P, Q] to the window maxima of `keys` [N, C, H, W]";
  let description = [{
    The adjoint of `max_pool2d(keys, ·)`: each window's value is added at the
    position max_pool2d selects; the result has the shape of `keys`.
  }];
}

#endif // MARTHE_WINDOW_OPS_TD
