// RUN: marthe-opt %s | marthe-opt | FileCheck %s

// Every op survives a print/parse round trip with its operands, attributes
// and types.

// Binary ops broadcast an operand whose shape is a suffix of the result shape.
// CHECK-LABEL: func.func @binary
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[S:.*]]: tensor<f32>)
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %s: tensor<f32>) -> tensor<2x3xf32> {
  // CHECK: %[[ADD:.*]] = marthe.add %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = marthe.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[SUB:.*]] = marthe.sub %[[B]], %[[ADD]] : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = marthe.sub %b, %0 : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[MUL:.*]] = marthe.mul %[[S]], %[[SUB]] : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = marthe.mul %s, %1 : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[DIV:.*]] = marthe.div %[[MUL]], %[[S]] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %3 = marthe.div %2, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  // CHECK: %[[RG:.*]] = marthe.relu_grad %[[DIV]], %[[A]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = marthe.relu_grad %3, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: return %[[RG]]
  return %4 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @scalar_binary
func.func @scalar_binary(%s: tensor<f64>, %t: tensor<f64>) -> tensor<f64> {
  // CHECK: marthe.add %{{.*}}, %{{.*}} : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %0 = marthe.add %s, %t : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %0 : tensor<f64>
}

// CHECK-LABEL: func.func @unary
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf64>)
func.func @unary(%a: tensor<2x3xf64>) -> tensor<2x3xf64> {
  // CHECK: %[[N:.*]] = marthe.neg %[[A]] : (tensor<2x3xf64>) -> tensor<2x3xf64>
  %0 = marthe.neg %a : (tensor<2x3xf64>) -> tensor<2x3xf64>
  // CHECK: %[[R:.*]] = marthe.relu %[[N]] : (tensor<2x3xf64>) -> tensor<2x3xf64>
  %1 = marthe.relu %0 : (tensor<2x3xf64>) -> tensor<2x3xf64>
  // CHECK: %[[T:.*]] = marthe.tanh %[[R]] : (tensor<2x3xf64>) -> tensor<2x3xf64>
  %2 = marthe.tanh %1 : (tensor<2x3xf64>) -> tensor<2x3xf64>
  // CHECK: %[[S:.*]] = marthe.sqrt %[[T]] : (tensor<2x3xf64>) -> tensor<2x3xf64>
  %3 = marthe.sqrt %2 : (tensor<2x3xf64>) -> tensor<2x3xf64>
  // CHECK: marthe.sqrt_grad %[[S]], %[[A]] : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %4 = marthe.sqrt_grad %3, %a : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  return %4 : tensor<2x3xf64>
}

// CHECK-LABEL: func.func @constant_reshape
func.func @constant_reshape() -> (tensor<3x2xf32>, tensor<f32>) {
  // The value attribute carries its own type, then comes the result type.
  // CHECK-DAG: %[[C:.*]] = marthe.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32> : tensor<2x3xf32>
  %0 = marthe.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32> : tensor<2x3xf32>
  // CHECK-DAG: %[[H:.*]] = marthe.constant dense<5.000000e-01> : tensor<f32> : tensor<f32>
  %1 = marthe.constant dense<0.5> : tensor<f32> : tensor<f32>
  // CHECK: %[[R:.*]] = marthe.reshape %[[C]] : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %2 = marthe.reshape %0 : (tensor<2x3xf32>) -> tensor<3x2xf32>
  // CHECK: return %[[R]], %[[H]]
  return %2, %1 : tensor<3x2xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @contractions
// CHECK-SAME: (%[[X:.*]]: tensor<8x4xf32>, %[[W:.*]]: tensor<3x4xf32>, %[[V:.*]]: tensor<8x3xf32>, %[[U:.*]]: tensor<4x3xf32>)
func.func @contractions(%x: tensor<8x4xf32>, %w: tensor<3x4xf32>, %v: tensor<8x3xf32>, %u: tensor<4x3xf32>)
    -> (tensor<3x4xf32>, tensor<4x4xf32>, tensor<3xf32>, tensor<f32>) {
  // CHECK: %[[Y:.*]] = marthe.matmul %[[X]], %[[W]] {transpose_rhs} : (tensor<8x4xf32>, tensor<3x4xf32>) -> tensor<8x3xf32>
  %0 = marthe.matmul %x, %w {transpose_rhs} : (tensor<8x4xf32>, tensor<3x4xf32>) -> tensor<8x3xf32>
  // CHECK: marthe.matmul %[[V]], %[[X]] {transpose_lhs} : (tensor<8x3xf32>, tensor<8x4xf32>) -> tensor<3x4xf32>
  %1 = marthe.matmul %v, %x {transpose_lhs} : (tensor<8x3xf32>, tensor<8x4xf32>) -> tensor<3x4xf32>
  // CHECK: marthe.matmul %[[W]], %[[U]] {transpose_lhs, transpose_rhs} : (tensor<3x4xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
  %2 = marthe.matmul %w, %u {transpose_lhs, transpose_rhs} : (tensor<3x4xf32>, tensor<4x3xf32>) -> tensor<4x4xf32>
  // CHECK: marthe.matmul %[[U]], %[[W]] : (tensor<4x3xf32>, tensor<3x4xf32>) -> tensor<4x4xf32>
  %3 = marthe.matmul %u, %w : (tensor<4x3xf32>, tensor<3x4xf32>) -> tensor<4x4xf32>
  // CHECK: marthe.sum_to %[[V]] : (tensor<8x3xf32>) -> tensor<3xf32>
  %4 = marthe.sum_to %v : (tensor<8x3xf32>) -> tensor<3xf32>
  // CHECK: marthe.dot %[[Y]], %[[V]] : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<f32>
  %5 = marthe.dot %0, %v : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<f32>
  return %1, %2, %4, %5 : tensor<3x4xf32>, tensor<4x4xf32>, tensor<3xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @cross_entropy
// CHECK-SAME: (%[[Z:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2xi32>, %[[T:.*]]: tensor<2x3xf32>)
func.func @cross_entropy(%z: tensor<2x3xf32>, %y: tensor<2xi32>, %t: tensor<2x3xf32>)
    -> (tensor<f32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK: marthe.softmax_xent %[[Z]], %[[Y]] : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
  %0 = marthe.softmax_xent %z, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
  // CHECK: marthe.softmax_xent_grad %[[Z]], %[[Y]] : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<2x3xf32>
  %1 = marthe.softmax_xent_grad %z, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<2x3xf32>
  // CHECK: marthe.softmax_xent_hvp %[[Z]], %[[T]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = marthe.softmax_xent_hvp %z, %t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<f32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func.func @schedule
// CHECK-SAME: (%[[E:[^:]*]]: tensor<f32>, %[[B:[^:]*]]: tensor<f32>, %[[M:[^:]*]]: tensor<f32>, %[[C:[^:]*]]: tensor<f32>, %[[P:[^:]*]]: tensor<f32>, %[[H:[^:]*]]: tensor<f32>, %[[G:[^:]*]]: tensor<f32>, %[[AL:[^:]*]]: tensor<f32>)
func.func @schedule(%eta: tensor<f32>, %beta: tensor<f32>, %mu: tensor<f32>, %c: tensor<f32>,
                    %hg_prev: tensor<f32>, %hg: tensor<f32>, %g1: tensor<f32>, %alpha: tensor<f32>)
    -> (tensor<f32>, tensor<f32>) {
  // CHECK: %[[NE:[^,]*]], %{{[^,]*}}, %{{[^,]*}}, %{{[^ ]*}} = marthe.schedule_update %[[E]], %[[B]], %[[M]], %[[C]], %[[P]], %[[H]], %[[G]], %[[AL]] {adaptive_mu} : (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>) -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>)
  %a:4 = marthe.schedule_update %eta, %beta, %mu, %c, %hg_prev, %hg, %g1, %alpha {adaptive_mu}
      : (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>)
      -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>)
  // Without the unit attribute nothing is printed between the operands and the colon.
  // CHECK: marthe.schedule_update %[[NE]], %{{.*}}, %[[AL]] : (tensor<f32>,
  %b:4 = marthe.schedule_update %a#0, %a#1, %a#2, %a#3, %hg_prev, %hg, %g1, %alpha
      : (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>)
      -> (tensor<f32>, tensor<f32>, tensor<f32>, tensor<f32>)
  return %a#0, %b#0 : tensor<f32>, tensor<f32>
}

// CHECK-LABEL: func.func @loss
func.func @loss(%w: tensor<3x4xf32>, %x: tensor<2x4xf32>, %y: tensor<2xi32>) -> tensor<f32> {
  %z = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %l = marthe.softmax_xent %z, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// CHECK-LABEL: func.func @requests
// CHECK-SAME: (%[[W:.*]]: tensor<3x4xf32>, %[[X:.*]]: tensor<2x4xf32>, %[[Y:.*]]: tensor<2xi32>, %[[T:.*]]: tensor<3x4xf32>)
func.func @requests(%w: tensor<3x4xf32>, %x: tensor<2x4xf32>, %y: tensor<2xi32>, %t: tensor<3x4xf32>)
    -> (tensor<f32>, tensor<3x4xf32>, tensor<2x4xf32>, tensor<f32>) {
  // CHECK: marthe.grad @loss(%[[W]], %[[X]], %[[Y]]) wrt [0, 1] : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<2x4xf32>)
  %l, %gw, %gx = marthe.grad @loss(%w, %x, %y) wrt [0, 1]
      : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<2x4xf32>)
  // CHECK: marthe.jvp @loss(%[[W]], %[[X]], %[[Y]]) wrt [0] tangents(%[[T]]) : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xi32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<f32>)
  %v, %dv = marthe.jvp @loss(%w, %x, %y) wrt [0] tangents(%t)
      : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xi32>, tensor<3x4xf32>) -> (tensor<f32>, tensor<f32>)
  return %l, %gw, %gx, %dv : tensor<f32>, tensor<3x4xf32>, tensor<2x4xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @fused
// CHECK-SAME: (%[[E:.*]]: tensor<f32>, %[[G:.*]]: tensor<4xf32>, %[[W:.*]]: tensor<4xf32>)
func.func @fused(%eta: tensor<f32>, %g: tensor<4xf32>, %w: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: marthe.fused(%[[E]], %[[G]], %[[W]]) : (tensor<f32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NEXT: ^bb0(%[[BE:.*]]: tensor<f32>, %[[BG:.*]]: tensor<4xf32>, %[[BW:.*]]: tensor<4xf32>):
  // CHECK-NEXT: %[[HALF:.*]] = marthe.constant dense<5.000000e-01> : tensor<f32> : tensor<f32>
  // CHECK-NEXT: %[[M:.*]] = marthe.mul %[[BE]], %[[BG]]
  // CHECK-NEXT: %[[M2:.*]] = marthe.mul %[[HALF]], %[[M]]
  // CHECK-NEXT: %[[S:.*]] = marthe.sub %[[BW]], %[[M2]]
  // CHECK-NEXT: marthe.yield %[[S]] : tensor<4xf32>
  // CHECK-NEXT: }
  %r = marthe.fused(%eta, %g, %w) : (tensor<f32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%e: tensor<f32>, %g0: tensor<4xf32>, %w0: tensor<4xf32>):
    %half = marthe.constant dense<0.5> : tensor<f32> : tensor<f32>
    %a = marthe.mul %e, %g0 : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
    %a2 = marthe.mul %half, %a : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
    %b = marthe.sub %w0, %a2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    marthe.yield %b : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// A fused op may have several results.
// CHECK-LABEL: func.func @fused_two_results
func.func @fused_two_results(%a: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK: marthe.fused(%{{.*}}) : (tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
  // CHECK: marthe.yield %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32>
  %r:2 = marthe.fused(%a) : (tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  ^bb0(%x: tensor<2x3xf32>):
    %n = marthe.neg %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %t = marthe.tanh %n : (tensor<2x3xf32>) -> tensor<2x3xf32>
    marthe.yield %n, %t : tensor<2x3xf32>, tensor<2x3xf32>
  }
  return %r#0, %r#1 : tensor<2x3xf32>, tensor<2x3xf32>
}
