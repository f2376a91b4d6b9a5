// RUN: marthe-opt %s -split-input-file -verify-diagnostics

// One case per verifier message of dialect/MartheOps.cpp.

func.func @not_a_suffix(%a: tensor<2x3xf32>, %b: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'marthe.add' op operand shapes must be suffixes of the result shape}}
  %0 = marthe.add %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Both operands broadcast, so the result would be a third shape.
func.func @no_full_operand(%a: tensor<3xf32>, %s: tensor<f32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'marthe.mul' op one operand must have the result shape}}
  %0 = marthe.mul %a, %s : (tensor<3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @mixed_binary(%a: tensor<3xf32>, %b: tensor<3xf64>) -> tensor<3xf32> {
  // expected-error @+1 {{'marthe.sub' op mixes element types 'f32' and 'f64'}}
  %0 = marthe.sub %a, %b : (tensor<3xf32>, tensor<3xf64>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @mixed_matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf64>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'marthe.matmul' op mixes element types 'f32' and 'f64'}}
  %0 = marthe.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @reshape_count(%a: tensor<2x3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'marthe.reshape' op cannot reshape 'tensor<2x3xf32>' into 'tensor<4xf32>': element counts differ}}
  %0 = marthe.reshape %a : (tensor<2x3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @matmul_rank(%a: tensor<6xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'marthe.matmul' op operands and result must be 2-D}}
  %0 = marthe.matmul %a, %b : (tensor<6xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// transpose_rhs makes the right operand 4x3: 3 (from 2x3) against 4.
func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'marthe.matmul' op contraction dimensions differ: 3 vs 4}}
  %0 = marthe.matmul %a, %b {transpose_rhs} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_result(%a: tensor<3x2xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{'marthe.matmul' op result must be 2x4}}
  %0 = marthe.matmul %a, %b {transpose_lhs} : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @sum_to_not_suffix(%a: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'marthe.sum_to' op result shape must be a suffix of the input shape}}
  %0 = marthe.sum_to %a : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @dot_types(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<f32> {
  // expected-error @+1 {{'marthe.dot' op operands must have the same type}}
  %0 = marthe.dot %a, %b : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @dot_mixed(%a: tensor<3xf32>) -> tensor<f64> {
  // expected-error @+1 {{'marthe.dot' op mixes element types 'f32' and 'f64'}}
  %0 = marthe.dot %a, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

func.func @xent_rank(%z: tensor<6xf32>, %y: tensor<6xi32>) -> tensor<f32> {
  // expected-error @+1 {{'marthe.softmax_xent' op logits must be 2-D [batch, classes]}}
  %0 = marthe.softmax_xent %z, %y : (tensor<6xf32>, tensor<6xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @xent_labels(%z: tensor<2x3xf32>, %y: tensor<3xi32>) -> tensor<f32> {
  // expected-error @+1 {{'marthe.softmax_xent' op labels must have one entry per logits row}}
  %0 = marthe.softmax_xent %z, %y : (tensor<2x3xf32>, tensor<3xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @xent_mixed(%z: tensor<2x3xf32>, %y: tensor<2xi32>) -> tensor<f64> {
  // expected-error @+1 {{'marthe.softmax_xent' op mixes element types 'f32' and 'f64'}}
  %0 = marthe.softmax_xent %z, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f64>
  return %0 : tensor<f64>
}

// -----

func.func @xent_grad_labels(%z: tensor<2x3xf32>, %y: tensor<3xi32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'marthe.softmax_xent_grad' op labels must have one entry per logits row}}
  %0 = marthe.softmax_xent_grad %z, %y : (tensor<2x3xf32>, tensor<3xi32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @xent_grad_result(%z: tensor<2x3xf32>, %y: tensor<2xi32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'marthe.softmax_xent_grad' op result must have the logits type}}
  %0 = marthe.softmax_xent_grad %z, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @xent_hvp_types(%z: tensor<2x3xf32>, %t: tensor<2x3xf64>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'marthe.softmax_xent_hvp' op logits, tangent and result must have one type}}
  %0 = marthe.softmax_xent_hvp %z, %t : (tensor<2x3xf32>, tensor<2x3xf64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @xent_hvp_rank(%z: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{'marthe.softmax_xent_hvp' op logits must be 2-D [batch, classes]}}
  %0 = marthe.softmax_xent_hvp %z, %z : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

func.func @schedule_mixed(%s: tensor<f32>, %d: tensor<f64>) -> tensor<f32> {
  // expected-error @+1 {{'marthe.schedule_update' op operands and results must all be 'tensor<f32>'}}
  %a:4 = marthe.schedule_update %s, %s, %s, %s, %s, %d, %s, %s
      : (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f64>, tensor<f32>, tensor<f32>)
      -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>)
  return %a#0 : tensor<f32>
}

// -----

func.func @loss(%w: tensor<3xf32>, %y: tensor<2xi32>) -> tensor<f32> {
  %0 = marthe.dot %w, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func @grad_result_count(%w: tensor<3xf32>, %y: tensor<2xi32>) -> tensor<f32> {
  // expected-error @+1 {{'marthe.grad' op must return the value and one gradient per wrt index}}
  %l = marthe.grad @loss(%w, %y) wrt [0] : (tensor<3xf32>, tensor<2xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

func.func @grad_unknown(%w: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+1 {{'marthe.grad' op refers to an unknown function @missing}}
  %l, %g = marthe.grad @missing(%w) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %l : tensor<f32>
}

// -----

func.func @vector(%w: tensor<3xf32>) -> tensor<3xf32> {
  %0 = marthe.neg %w : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

func.func @grad_not_scalar(%w: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'marthe.grad' op callee must return one scalar}}
  %l, %g = marthe.grad @vector(%w) wrt [0] : (tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

func.func @loss(%w: tensor<3xf32>) -> tensor<f32> {
  %0 = marthe.dot %w, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func @grad_arg_types(%w: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'marthe.grad' op argument types do not match loss}}
  %l, %g = marthe.grad @loss(%w) wrt [0] : (tensor<4xf32>) -> (tensor<f32>, tensor<4xf32>)
  return %l : tensor<f32>
}

// -----

func.func @loss(%w: tensor<3xf32>, %y: tensor<2xi32>) -> tensor<f32> {
  %0 = marthe.dot %w, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// Integer labels have no gradient.
func.func @grad_wrt_labels(%w: tensor<3xf32>, %y: tensor<2xi32>) -> tensor<f32> {
  // expected-error @+1 {{'marthe.grad' op wrt index 1 is not a floating-point argument of loss}}
  %l, %g = marthe.grad @loss(%w, %y) wrt [1] : (tensor<3xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<2xi32>)
  return %l : tensor<f32>
}

// -----

func.func @loss(%w: tensor<3xf32>) -> tensor<f32> {
  %0 = marthe.dot %w, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func @grad_type(%w: tensor<3xf32>) -> tensor<f32> {
  // expected-error @+1 {{'marthe.grad' op gradient 0 must have the type of argument 0}}
  %l, %g = marthe.grad @loss(%w) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf64>)
  return %l : tensor<f32>
}

// -----

func.func @step(%w: tensor<3xf32>, %eta: tensor<f32>) -> tensor<3xf32> {
  %0 = marthe.mul %eta, %w : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

func.func @jvp_tangent_count(%w: tensor<3xf32>, %eta: tensor<f32>) -> tensor<3xf32> {
  // expected-error @+1 {{'marthe.jvp' op needs one tangent per wrt index}}
  %r, %t = marthe.jvp @step(%w, %eta) wrt [0, 1] tangents(%w)
      : (tensor<3xf32>, tensor<f32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %t : tensor<3xf32>
}

// -----

func.func @step(%w: tensor<3xf32>, %eta: tensor<f32>) -> tensor<3xf32> {
  %0 = marthe.mul %eta, %w : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

func.func @jvp_tangent_type(%w: tensor<3xf32>, %eta: tensor<f32>) -> tensor<3xf32> {
  // expected-error @+1 {{'marthe.jvp' op tangent for argument 1 must have its type}}
  %r, %t = marthe.jvp @step(%w, %eta) wrt [1] tangents(%w)
      : (tensor<3xf32>, tensor<f32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %t : tensor<3xf32>
}

// -----

func.func @jvp_unknown(%w: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'marthe.jvp' op refers to an unknown function @missing}}
  %r, %t = marthe.jvp @missing(%w) wrt [0] tangents(%w)
      : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %t : tensor<3xf32>
}

// -----

func.func @fused_matmul(%a: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %r = marthe.fused(%a) : (tensor<2x2xf32>) -> tensor<2x2xf32> {
  ^bb0(%x: tensor<2x2xf32>):
    // expected-error @+1 {{'marthe.matmul' op is not element-wise and cannot be fused}}
    %m = marthe.matmul %x, %x : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    marthe.yield %m : tensor<2x2xf32>
  }
  return %r : tensor<2x2xf32>
}

// -----

func.func @fused_block_args(%a: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'marthe.fused' op block arguments must match the inputs}}
  %r = marthe.fused(%a) : (tensor<3xf32>) -> tensor<3xf32> {
  ^bb0(%x: tensor<4xf32>):
    %n = marthe.neg %x : (tensor<4xf32>) -> tensor<4xf32>
    marthe.yield %n : tensor<4xf32>
  }
  return %r : tensor<3xf32>
}

// -----

func.func @fused_yield(%a: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  // expected-error @+1 {{'marthe.fused' op must yield one value per result}}
  %r:2 = marthe.fused(%a) : (tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  ^bb0(%x: tensor<3xf32>):
    %n = marthe.neg %x : (tensor<3xf32>) -> tensor<3xf32>
    marthe.yield %n : tensor<3xf32>
  }
  return %r#0, %r#1 : tensor<3xf32>, tensor<3xf32>
}

// -----

func.func @step(%w: tensor<3xf32>, %eta: tensor<f32>) -> tensor<3xf32> {
  %0 = marthe.mul %eta, %w : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

func.func @jvp_result_count(%w: tensor<3xf32>, %eta: tensor<f32>) -> tensor<3xf32> {
  // expected-error @+1 {{results must be the callee's results followed by the tangents of its floating-point results}}
  %r:3 = marthe.jvp @step(%w, %eta) wrt [1] tangents(%eta)
      : (tensor<3xf32>, tensor<f32>, tensor<f32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %r#2 : tensor<3xf32>
}

// -----

func.func @step(%w: tensor<3xf32>, %eta: tensor<f32>) -> tensor<3xf32> {
  %0 = marthe.mul %eta, %w : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

func.func @jvp_result_type(%w: tensor<3xf32>, %eta: tensor<f32>) -> tensor<3xf64> {
  // expected-error @+1 {{results must be the callee's results followed by the tangents of its floating-point results}}
  %r:2 = marthe.jvp @step(%w, %eta) wrt [1] tangents(%eta)
      : (tensor<3xf32>, tensor<f32>, tensor<f32>) -> (tensor<3xf32>, tensor<3xf64>)
  return %r#1 : tensor<3xf64>
}

// -----

func.func @loss(%w: tensor<3xf32>) -> tensor<f32> {
  %0 = marthe.dot %w, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func @grad_value_type(%w: tensor<3xf32>) -> tensor<f64> {
  // expected-error @+1 {{value must have the callee's result type 'tensor<f32>'}}
  %l, %g = marthe.grad @loss(%w) wrt [0] : (tensor<3xf32>) -> (tensor<f64>, tensor<3xf32>)
  return %l : tensor<f64>
}

// -----

func.func @constant_type() -> tensor<4xf32> {
  // expected-error @+1 {{value type 'tensor<f32>' differs from the result type 'tensor<4xf32>'}}
  %0 = marthe.constant dense<0.5> : tensor<f32> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @fused_result_shapes(%a: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'marthe.fused' op results must all have the iteration shape}}
  %r:2 = marthe.fused(%a) : (tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>) {
  ^bb0(%x: tensor<2x3xf32>):
    %0 = marthe.sum_to %x : (tensor<2x3xf32>) -> tensor<3xf32>
    marthe.yield %x, %0 : tensor<2x3xf32>, tensor<3xf32>
  }
  return %r#1 : tensor<3xf32>
}

// -----

// Roles are what the runtime binds buffers by.
// expected-error @+1 {{invalid marthe.role of argument 0: "Param:w"}}
func.func @bad_role(%w: tensor<3xf32> {marthe.role = "Param:w"}) {
  return
}

// -----

// expected-error @+1 {{invalid marthe.role of argument 0: "param:"}}
func.func @empty_parameter_name(%w: tensor<3xf32> {marthe.role = "param:"}) {
  return
}

// -----

// expected-error @+1 {{invalid marthe.role of result 0: 3 : i64}}
func.func @role_not_a_string(%w: tensor<3xf32>) -> (tensor<3xf32> {marthe.role = 3}) {
  return %w : tensor<3xf32>
}

// -----

// expected-error @+1 {{arguments 0 and 1 have the same marthe.role "param:w"}}
func.func @duplicate_role(%a: tensor<3xf32> {marthe.role = "param:w"}, %b: tensor<3xf32> {marthe.role = "param:w"}) {
  return
}

// -----

// expected-error @+1 {{unknown marthe attribute on a function argument: "marthe.rol"}}
func.func @misspelt(%a: tensor<3xf32> {marthe.rol = "input"}) {
  return
}

// -----

func.func @fused_input_not_a_suffix(%a: tensor<3xf32>, %b: tensor<2x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'marthe.fused' op input shapes must be suffixes of the iteration shape}}
  %r = marthe.fused(%a, %b) : (tensor<3xf32>, tensor<2x4xf32>) -> tensor<2x4xf32> {
  ^bb0(%x: tensor<3xf32>, %y: tensor<2x4xf32>):
    marthe.yield %y : tensor<2x4xf32>
  }
  return %r : tensor<2x4xf32>
}

// -----

func.func @transpose_repeats(%x: tensor<2x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{'marthe.transpose' op permutation is not a permutation of 0..1}}
  %0 = marthe.transpose %x {permutation = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @transpose_shape(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'marthe.transpose' op result dimension 0 is 2, not input dimension 1 (3)}}
  %0 = marthe.transpose %x {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @broadcast_mismatch(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'marthe.broadcast' op dimension 1 of 'tensor<2x3xf32>' is neither 1 nor that of 'tensor<2x4xf32>'}}
  %0 = marthe.broadcast %x : (tensor<2x3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @reduce_sum_rank(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'marthe.reduce_sum' op needs operands of equal rank, got 'tensor<3xf32>' and 'tensor<2x3xf32>'}}
  %0 = marthe.reduce_sum %x : (tensor<2x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
