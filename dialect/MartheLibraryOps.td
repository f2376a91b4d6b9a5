#ifndef MARTHE_LIBRARY_OPS_TD
#define MARTHE_LIBRARY_OPS_TD

// Library-call ops: the heavy ops that every target runs through a library
// (BLAS on the CPU, cuBLAS on CUDA). They are destination-passing: on tensors
// they return the updated `init`; once bufferized they write it in place.

include "dialect/MartheDialect.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"

def ShapedFloat : AnyTypeOf<[RankedTensorOf<[F32, F64]>, StaticShapeMemRefOf<[F32, F64]>]>;
def ShapedLabels : AnyTypeOf<[1DTensorOf<[I32]>, StaticShapeMemRefOf<[I32]>]>;

class Marthe_LibraryOp<string mnemonic, Type rhsType>
    : Op<Marthe_Dialect, "library." # mnemonic,
         [DestinationStyleOpInterface]> {
  dag extraArguments = (ins);
  let arguments = !con((ins ShapedFloat:$lhs, rhsType:$rhs, ShapedFloat:$init),
                       extraArguments);
  let results = (outs Optional<RankedTensorOf<[F32, F64]>>:$result);
  let assemblyFormat = [{
    `ins` `(` $lhs `,` $rhs `:` type($lhs) `,` type($rhs) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict (`->` type($result)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Marthe_LibraryGemmOp : Marthe_LibraryOp<"gemm", ShapedFloat> {
  let summary = "init = op(lhs) x op(rhs), a BLAS gemm (beta = 0)";
  let description = [{
    The lowering of `marthe.matmul`; `op(x)` is `x` or its transpose.
    ```mlir
    %c = marthe.library.gemm ins(%a, %b : tensor<8x4xf32>, tensor<3x4xf32>)
                             outs(%init : tensor<8x3xf32>) {transpose_rhs} -> tensor<8x3xf32>
    ```
  }];
  let extraArguments = (ins UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
}

def Marthe_LibrarySoftmaxXentOp : Marthe_LibraryOp<"softmax_xent", ShapedLabels> {
  let summary = "init = mean softmax cross-entropy of logits [B, C] against labels [B]";
}

def Marthe_LibrarySoftmaxXentGradOp : Marthe_LibraryOp<"softmax_xent_grad", ShapedLabels> {
  let summary = "init = (softmax(logits) - onehot(labels)) / B";
}

def Marthe_LibrarySoftmaxXentHvpOp : Marthe_LibraryOp<"softmax_xent_hvp", ShapedFloat> {
  let summary = "init = p * (t - rowsum(p * t)) / B with p = softmax(logits)";
}

// The window ops (MartheWindowOps.td) keep their geometry attributes.
def Marthe_LibraryConv2dOp : Marthe_LibraryOp<"conv2d", ShapedFloat> {
  let summary = "init = conv2d(lhs = input, rhs = filter) (oneDNN on the CPU)";
  let extraArguments = ConvGeometry;
}

def Marthe_LibraryConv2dBackwardDataOp : Marthe_LibraryOp<"conv2d_backward_data", ShapedFloat> {
  let summary = "init = conv2d_backward_data(lhs = output adjoint, rhs = filter)";
  let extraArguments = ConvGeometry;
}

def Marthe_LibraryConv2dBackwardFilterOp
    : Marthe_LibraryOp<"conv2d_backward_filter", ShapedFloat> {
  let summary = "init = conv2d_backward_filter(lhs = input, rhs = output adjoint)";
  let extraArguments = ConvGeometry;
}

def Marthe_LibraryMaxPool2dOp : Marthe_LibraryOp<"max_pool2d", ShapedFloat> {
  let summary = "init = max_pool2d(lhs = keys, rhs = values)";
  let extraArguments = PoolGeometry;
}

def Marthe_LibraryMaxUnpool2dOp : Marthe_LibraryOp<"max_unpool2d", ShapedFloat> {
  let summary = "init = max_unpool2d(lhs = keys, rhs = values)";
  let extraArguments = PoolGeometry;
}

#endif // MARTHE_LIBRARY_OPS_TD
