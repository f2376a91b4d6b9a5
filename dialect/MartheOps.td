#ifndef MARTHE_OPS_TD
#define MARTHE_OPS_TD

include "dialect/MartheDialect.td"
include "dialect/DifferentiableOpInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/CallInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def FloatTensor : RankedTensorOf<[F32, F64]>;
def FloatScalar : 0DTensorOf<[F32, F64]>;
def LabelTensor : 1DTensorOf<[I32]>;

// Marks ops that compute each result element from the operand elements at the
// same (suffix-broadcast) position; the fusion pass groups chains of them.
def ElementwiseTrait : NativeOpTrait<"SuffixBroadcastElementwise"> {
  let cppNamespace = "::marthe::OpTrait";
}

class Marthe_Op<string mnemonic, list<Trait> traits = []>
    : Op<Marthe_Dialect, mnemonic, traits>;

class Marthe_MathOp<string mnemonic, list<Trait> traits = []>
    : Marthe_Op<mnemonic, traits # [Pure,
        DeclareOpInterfaceMethods<DifferentiableOpInterface>]> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Element-wise ops
//===----------------------------------------------------------------------===//

class Marthe_BinaryOp<string mnemonic, string doc>
    : Marthe_MathOp<mnemonic, [ElementwiseTrait]> {
  let summary = doc;
  let description = [{
    Element-wise with suffix broadcasting: each operand's shape is a suffix of
    the result shape, and one operand has the result's shape.
  }];
  let arguments = (ins FloatTensor:$lhs, FloatTensor:$rhs);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs), [{
      build($_builder, $_state, broadcastResultType(lhs, rhs), lhs, rhs);
    }]>
  ];
}

def Marthe_AddOp : Marthe_BinaryOp<"add", "lhs + rhs"> { let hasFolder = 1; }
def Marthe_SubOp : Marthe_BinaryOp<"sub", "lhs - rhs"> { let hasFolder = 1; }
def Marthe_MulOp : Marthe_BinaryOp<"mul", "lhs * rhs"> { let hasFolder = 1; }
def Marthe_DivOp : Marthe_BinaryOp<"div", "lhs / rhs">;
def Marthe_SqrtGradOp : Marthe_BinaryOp<"sqrt_grad",
    "rhs / (2 lhs) where lhs > 0, else 0 (the derivative of sqrt, lhs = sqrt(x))">;
def Marthe_ReluGradOp : Marthe_BinaryOp<"relu_grad",
    "rhs where lhs > 0, else 0 (the adjoint of relu at lhs)">;

class Marthe_UnaryOp<string mnemonic, string doc>
    : Marthe_MathOp<mnemonic, [ElementwiseTrait, SameOperandsAndResultType]> {
  let summary = doc;
  let arguments = (ins FloatTensor:$input);
  let results = (outs FloatTensor:$result);
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input), [{
      build($_builder, $_state, input.getType(), input);
    }]>
  ];
}

def Marthe_NegOp : Marthe_UnaryOp<"neg", "-input">;
def Marthe_ReluOp : Marthe_UnaryOp<"relu", "max(input, 0)">;
def Marthe_TanhOp : Marthe_UnaryOp<"tanh", "tanh(input)">;
def Marthe_SigmoidOp : Marthe_UnaryOp<"sigmoid", "1 / (1 + exp(-input))">;
def Marthe_ExpOp : Marthe_UnaryOp<"exp", "exp(input)">;
def Marthe_ErfOp : Marthe_UnaryOp<"erf", "erf(input), the Gauss error function (GELU's)">;

def Marthe_ClampOp : Marthe_MathOp<"clamp", [ElementwiseTrait, SameOperandsAndResultType]> {
  let summary = "min(max(input, min), max), either bound optional";
  let description = [{
    Values below `min` become `min`, above `max` become `max` (ONNX Clip with
    constant bounds); NaN stays NaN. The derivative is 1 strictly between the
    bounds, else 0.
  }];
  let arguments = (ins FloatTensor:$input, OptionalAttr<F64Attr>:$min, OptionalAttr<F64Attr>:$max);
  let results = (outs FloatTensor:$result);
}
def Marthe_SqrtOp : Marthe_UnaryOp<"sqrt", "sqrt(input)">;

//===----------------------------------------------------------------------===//
// Constants and layout
//===----------------------------------------------------------------------===//

def Marthe_ConstantOp : Marthe_Op<"constant", [ConstantLike, Pure]> {
  let summary = "A constant tensor";
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$value attr-dict `:` type($result)";
  let hasFolder = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::TypedAttr":$value), [{
      build($_builder, $_state, value.getType(), ::llvm::cast<::mlir::ElementsAttr>(value));
    }]>
  ];
  let extraClassDeclaration = [{
    /// A splat constant of `type` (a float tensor type) holding `value`.
    static ConstantOp createSplat(::mlir::OpBuilder &builder, ::mlir::Location loc,
                                  ::mlir::Type type, double value);
  }];
}

def Marthe_ReshapeOp : Marthe_MathOp<"reshape"> {
  let summary = "Reinterpret a tensor with another shape of the same size";
  let arguments = (ins FloatTensor:$input);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Marthe_TransposeOp : Marthe_MathOp<"transpose"> {
  let summary = "Permute the dimensions of a tensor";
  let description = [{
    Dimension i of the result is dimension `permutation[i]` of the input
    (ONNX Transpose's `perm`).
  }];
  let arguments = (ins FloatTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$input, "::llvm::ArrayRef<int64_t>":$permutation)>
  ];
}

//===----------------------------------------------------------------------===//
// Contractions and reductions
//===----------------------------------------------------------------------===//

def Marthe_MatmulOp : Marthe_MathOp<"matmul"> {
  let summary = "2-D matrix product op(lhs) x op(rhs)";
  let description = [{
    `op(x)` is `x` or its transpose, as `transpose_lhs` / `transpose_rhs` say.
    ```mlir
    %y = marthe.matmul %x, %w {transpose_rhs} : (tensor<8x4xf32>, tensor<3x4xf32>) -> tensor<8x3xf32>
    ```
  }];
  let arguments = (ins FloatTensor:$lhs, FloatTensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs,
                   "bool":$transposeLhs, "bool":$transposeRhs)>
  ];
}

def Marthe_SumToOp : Marthe_MathOp<"sum_to"> {
  let summary = "Sum over the leading dimensions down to a suffix shape";
  let description = [{
    The adjoint of suffix broadcasting: the result shape is a suffix of the
    input shape and each result element sums the input elements it broadcast to.
  }];
  let arguments = (ins FloatTensor:$input);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
}

def Marthe_BroadcastOp : Marthe_MathOp<"broadcast"> {
  let summary = "Replicate a tensor along its dimensions of size 1";
  let description = [{
    Numpy broadcasting at equal rank: each input dimension is the result's or
    1, and a dimension of size 1 is repeated to the result's size.
  }];
  let arguments = (ins FloatTensor:$input);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Marthe_ReduceSumOp : Marthe_MathOp<"reduce_sum"> {
  let summary = "Sum over the dimensions the result has as 1 (the adjoint of broadcast)";
  let description = [{
    At equal rank: each result dimension is the input's or 1; where it is 1 the
    input's elements along that dimension are summed (keeping the dimension).
  }];
  let arguments = (ins FloatTensor:$input);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Marthe_ConcatOp : Marthe_MathOp<"concat"> {
  let summary = "Join tensors along `axis`";
  let description = [{
    The operands agree in every dimension but `axis`; the result's `axis`
    dimension is the sum of theirs. Its adjoint is a slice per operand.
  }];
  let arguments = (ins Variadic<FloatTensor>:$inputs, I64Attr:$axis);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
}

def Marthe_SliceOp : Marthe_MathOp<"slice"> {
  let summary = "The part of `input` from `offset` along `axis`, of the result's size";
  let arguments = (ins FloatTensor:$input, I64Attr:$axis, I64Attr:$offset);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
}

def Marthe_ConvertOp : Marthe_MathOp<"convert"> {
  let summary = "`input` in the result's float type (same shape)";
  let description = [{
    Rounds or widens each element. The schedule scalars of @marthe_step are
    float64 whatever the model's precision: they meet the model's values
    through this op.
  }];
  let arguments = (ins FloatTensor:$input);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Marthe_DotOp : Marthe_MathOp<"dot"> {
  let summary = "Inner product of two tensors of the same shape, as a scalar";
  let arguments = (ins FloatTensor:$lhs, FloatTensor:$rhs);
  let results = (outs FloatScalar:$result);
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lhs, "::mlir::Value":$rhs)>
  ];
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

def Marthe_LogSoftmaxOp : Marthe_MathOp<"log_softmax", [SameOperandsAndResultType]> {
  let summary = "input - log(sum(exp(input))) along `axis`";
  let description = [{
    Computed with the maximum along the axis subtracted first. Softmax is
    `exp(log_softmax(x))`. Its derivatives are compositions of `exp`,
    `reduce_sum`, `broadcast`, `mul` and `sub`, so they differentiate again.
  }];
  let arguments = (ins FloatTensor:$input, I64Attr:$axis);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Dropout
//===----------------------------------------------------------------------===//

def Marthe_DropoutOp : Marthe_MathOp<"dropout"> {
  let summary = "input * mask / (1 - ratio), the mask a hash of (key, salt, position)";
  let description = [{
    Each element is kept with probability 1 - ratio, scaled by 1 / (1 - ratio),
    or zeroed. Whether it is kept is a pure function of the scalar `key` (an
    integer-valued float: the run's seed and step), the op's `salt` (one per
    ONNX node) and the element's row-major position, so the step's gradient
    and its tangent use the same mask. Linear in `input`.
  }];
  let arguments = (ins FloatTensor:$input, FloatScalar:$key, F64Attr:$ratio, I64Attr:$salt);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Cross-entropy
//===----------------------------------------------------------------------===//

def Marthe_SoftmaxXentOp : Marthe_MathOp<"softmax_xent"> {
  let summary = "Mean softmax cross-entropy of logits [B, C] against integer labels [B]";
  let arguments = (ins FloatTensor:$logits, LabelTensor:$labels);
  let results = (outs FloatScalar:$result);
  let hasVerifier = 1;
}

def Marthe_SoftmaxXentGradOp : Marthe_MathOp<"softmax_xent_grad"> {
  let summary = "(softmax(logits) - onehot(labels)) / B, the gradient of softmax_xent";
  let arguments = (ins FloatTensor:$logits, LabelTensor:$labels);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
}

def Marthe_SoftmaxXentHvpOp : Marthe_MathOp<"softmax_xent_hvp"> {
  let summary = "p * (t - rowsum(p * t)) / B with p = softmax(logits)";
  let description = [{
    The Hessian of the mean cross-entropy with respect to the logits applied to
    the tangent `t`: the forward-mode derivative of `softmax_xent_grad`.
  }];
  let arguments = (ins FloatTensor:$logits, FloatTensor:$tangent);
  let results = (outs FloatTensor:$result);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Schedule
//===----------------------------------------------------------------------===//

def Marthe_ScheduleUpdateOp : Marthe_Op<"schedule_update", [Pure]> {
  let summary = "One MARTHE update of eta, beta, mu and c (docs/DESIGN.md §3)";
  let description = [{
    ```
    beta' = max(beta + alpha * hg * hg_prev, 0)
    eta'  = max(eta - beta' * hg, 0)
    q     = clip(hg / g1, 0, 1)   (0 when g1 = 0)
    mu'   = q^(1 / (c + 1))   if adaptive_mu, else mu
    c'    = mu * (1 + c)
    ```
    All operands and results are scalars of one float type.
  }];
  let arguments = (ins FloatScalar:$eta, FloatScalar:$beta, FloatScalar:$mu,
                       FloatScalar:$c, FloatScalar:$hg_prev, FloatScalar:$hg,
                       FloatScalar:$g1, FloatScalar:$alpha, UnitAttr:$adaptive_mu);
  let results = (outs FloatScalar:$new_eta, FloatScalar:$new_beta,
                      FloatScalar:$new_mu, FloatScalar:$new_c);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Differentiation requests, lowered by marthe-reverse-ad / marthe-forward-ad
//===----------------------------------------------------------------------===//

def Marthe_GradOp : Marthe_Op<"grad",
    [DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Value and gradient of a scalar function";
  let description = [{
    Calls `callee` and returns its scalar result followed by its gradient with
    respect to the arguments listed in `wrt`, in that order.
    ```mlir
    %l, %gw = marthe.grad @loss(%w, %x, %y) wrt [0] : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<3x4xf32>)
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<AnyRankedTensor>:$args,
                       DenseI64ArrayAttr:$wrt);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $callee `(` $args `)` `wrt` $wrt attr-dict `:` functional-type($args, $results)
  }];
}

def Marthe_JvpOp : Marthe_Op<"jvp",
    [AttrSizedOperandSegments, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Forward-mode derivative of a function call";
  let description = [{
    Calls `callee` on `args` and returns its results followed by the tangent of
    every floating-point result along `tangents`, one tangent per argument
    listed in `wrt` (the other arguments have zero tangent).
    ```mlir
    %w2, %l, %tw2 = marthe.jvp @step(%w, %x, %y, %eta) wrt [0, 3] tangents(%z, %one) : ...
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$callee, Variadic<AnyRankedTensor>:$args,
                       Variadic<FloatTensor>:$tangents, DenseI64ArrayAttr:$wrt);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $callee `(` $args `)` `wrt` $wrt `tangents` `(` $tangents `)` attr-dict `:`
    functional-type(operands, $results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def Marthe_FusedOp : Marthe_Op<"fused",
    [IsolatedFromAbove, SingleBlock, Pure]> {
  let summary = "A chain of element-wise ops computed in one loop";
  let description = [{
    The body holds element-wise ops only; the block arguments stand for the
    operands. Every result has the iteration shape (the largest operand or
    result shape) and is computed in the same loop over its elements.
  }];
  let arguments = (ins Variadic<FloatTensor>:$inputs);
  let results = (outs Variadic<FloatTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "`(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body";
  let hasVerifier = 1;
}

def Marthe_YieldOp : Marthe_Op<"yield", [Pure, Terminator, HasParent<"FusedOp">]> {
  let summary = "Results of a fused region";
  let arguments = (ins Variadic<FloatTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

include "dialect/MartheWindowOps.td"
include "dialect/MartheLibraryOps.td"

#endif // MARTHE_OPS_TD
