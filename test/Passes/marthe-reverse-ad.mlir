// RUN: marthe-opt %s -split-input-file -verify-diagnostics --marthe-reverse-ad | FileCheck %s

// A one-layer ReLU classifier: the gradient in W and b runs the forward ops,
// seeds the loss adjoint with 1 and applies each op's reverse rule.

func.func @loss(%w: tensor<3x4xf32> {marthe.role = "param:w"}, %b: tensor<3xf32> {marthe.role = "param:b"},
                %x: tensor<2x4xf32> {marthe.role = "input"}, %y: tensor<2xi32> {marthe.role = "labels"})
    -> (tensor<f32> {marthe.role = "loss"}) {
  %0 = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %1 = marthe.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = marthe.relu %1 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = marthe.softmax_xent %2, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
  return %3 : tensor<f32>
}

// CHECK-LABEL: func.func @user(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32>, %[[B:[^:]+]]: tensor<3xf32>, %[[X:[^:]+]]: tensor<2x4xf32>, %[[Y:[^:]+]]: tensor<2xi32>)
// CHECK-NOT: marthe.grad
// CHECK: %[[R:.+]]:3 = call @loss_grad_0_1(%[[W]], %[[B]], %[[X]], %[[Y]]) : (tensor<3x4xf32>, tensor<3xf32>, tensor<2x4xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<3xf32>)
// A second request with the same callee and wrt reuses the derived function.
// CHECK-NEXT: %[[R2:.+]]:3 = call @loss_grad_0_1(%[[W]], %[[B]], %[[X]], %[[Y]])
// CHECK-NEXT: return %[[R]]#0, %[[R]]#1, %[[R2]]#2
func.func @user(%w: tensor<3x4xf32>, %b: tensor<3xf32>, %x: tensor<2x4xf32>, %y: tensor<2xi32>)
    -> (tensor<f32>, tensor<3x4xf32>, tensor<3xf32>) {
  %l, %gw, %gb = marthe.grad @loss(%w, %b, %x, %y) wrt [0, 1]
      : (tensor<3x4xf32>, tensor<3xf32>, tensor<2x4xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<3xf32>)
  %l2, %gw2, %gb2 = marthe.grad @loss(%w, %b, %x, %y) wrt [0, 1]
      : (tensor<3x4xf32>, tensor<3xf32>, tensor<2x4xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<3x4xf32>, tensor<3xf32>)
  return %l, %gw, %gb2 : tensor<f32>, tensor<3x4xf32>, tensor<3xf32>
}

// CHECK-LABEL: func.func private @loss_grad_0_1(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// CHECK-SAME: %[[B:[^:]+]]: tensor<3xf32> {marthe.role = "param:b"},
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// CHECK-SAME: %[[Y:[^:]+]]: tensor<2xi32> {marthe.role = "labels"})
// CHECK-SAME: -> (tensor<f32> {marthe.role = "loss"}, tensor<3x4xf32> {marthe.role = "grad:param:w"}, tensor<3xf32> {marthe.role = "grad:param:b"})
// The forward pass, as in @loss.
// CHECK-NEXT: %[[Z:.+]] = marthe.matmul %[[X]], %[[W]] {transpose_rhs}
// CHECK-NEXT: %[[H:.+]] = marthe.add %[[Z]], %[[B]]
// CHECK-NEXT: %[[A:.+]] = marthe.relu %[[H]]
// CHECK-NEXT: %[[L:.+]] = marthe.softmax_xent %[[A]], %[[Y]]
// The backward pass: dA = softmax_xent_grad * seed, dH = relu_grad(H, dA).
// CHECK-NEXT: %[[SEED:.+]] = marthe.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[XG:.+]] = marthe.softmax_xent_grad %[[A]], %[[Y]] : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[DA:.+]] = marthe.mul %[[XG]], %[[SEED]] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[DH:.+]] = marthe.relu_grad %[[H]], %[[DA]]
// The bias was broadcast over the batch, so its adjoint is summed back.
// CHECK-NEXT: %[[DB:.+]] = marthe.sum_to %[[DH]] : (tensor<2x3xf32>) -> tensor<3xf32>
// Z = X W^T: dX = dZ W and dW = dZ^T X.
// CHECK-NEXT: marthe.matmul %[[DH]], %[[W]] : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[DW:.+]] = marthe.matmul %[[DH]], %[[X]] {transpose_lhs} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: return %[[L]], %[[DW]], %[[DB]]

// -----

// The adjoint rule of matmul for each transpose combination. The value is
// <A B, D> + <A^T C, A^T C> + <B^T A^T, D>, so every product feeds a dot.

func.func @contract(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>, %c: tensor<2x3xf32>, %d: tensor<2x2xf32>) -> tensor<f32> {
  %0 = marthe.matmul %a, %b : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %1 = marthe.matmul %a, %c {transpose_lhs} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %2 = marthe.matmul %b, %a {transpose_lhs, transpose_rhs} : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
  %3 = marthe.dot %0, %d : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<f32>
  %4 = marthe.dot %1, %1 : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<f32>
  %5 = marthe.dot %2, %d : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<f32>
  %6 = marthe.add %3, %4 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %7 = marthe.add %6, %5 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %7 : tensor<f32>
}

// CHECK-LABEL: func.func @contract_user
// CHECK: call @contract_grad_0_1
func.func @contract_user(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>, %c: tensor<2x3xf32>, %d: tensor<2x2xf32>)
    -> (tensor<2x3xf32>, tensor<3x2xf32>) {
  %l, %ga, %gb = marthe.grad @contract(%a, %b, %c, %d) wrt [0, 1]
      : (tensor<2x3xf32>, tensor<3x2xf32>, tensor<2x3xf32>, tensor<2x2xf32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<3x2xf32>)
  return %ga, %gb : tensor<2x3xf32>, tensor<3x2xf32>
}

// CHECK-LABEL: func.func private @contract_grad_0_1(
// CHECK-SAME: %[[A:[^:]+]]: tensor<2x3xf32>{{[^,]*}}, %[[B:[^:]+]]: tensor<3x2xf32>{{[^,]*}}, %[[C:[^:]+]]: tensor<2x3xf32>{{[^,]*}}, %[[D:[^:]+]]: tensor<2x2xf32>
// CHECK-NEXT: %[[P0:.+]] = marthe.matmul %[[A]], %[[B]] :
// CHECK-NEXT: %[[P1:.+]] = marthe.matmul %[[A]], %[[C]] {transpose_lhs}
// CHECK-NEXT: %[[P2:.+]] = marthe.matmul %[[B]], %[[A]] {transpose_lhs, transpose_rhs}
// CHECK: %[[SEED:.+]] = marthe.constant dense<1.000000e+00>
// Adjoints of the products: dP2 = D, dP1 = 2 P1 (two uses), dP0 = D.
// CHECK-NEXT: %[[E2:.+]] = marthe.mul %[[D]], %[[SEED]]
// CHECK-NEXT: marthe.mul %[[P2]], %[[SEED]]
// CHECK-NEXT: %[[E1A:.+]] = marthe.mul %[[P1]], %[[SEED]]
// CHECK-NEXT: %[[E1B:.+]] = marthe.mul %[[P1]], %[[SEED]]
// CHECK-NEXT: %[[E1:.+]] = marthe.add %[[E1A]], %[[E1B]]
// CHECK-NEXT: %[[E0:.+]] = marthe.mul %[[D]], %[[SEED]]
// CHECK-NEXT: marthe.mul %[[P0]], %[[SEED]]
// CHECK-NEXT: marthe.add
// P2 = B^T A^T: dB = A^T dP2^T, dA = dP2^T B^T.
// CHECK-NEXT: %[[DB2:.+]] = marthe.matmul %[[A]], %[[E2]] {transpose_lhs, transpose_rhs} : (tensor<2x3xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: %[[DA2:.+]] = marthe.matmul %[[E2]], %[[B]] {transpose_lhs, transpose_rhs} : (tensor<2x2xf32>, tensor<3x2xf32>) -> tensor<2x3xf32>
// P1 = A^T C: dA = C dP1^T, dC = A dP1.
// CHECK-NEXT: %[[DA1:.+]] = marthe.matmul %[[C]], %[[E1]] {transpose_rhs} : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: marthe.matmul %[[A]], %[[E1]] : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[S1:.+]] = marthe.add %[[DA2]], %[[DA1]]
// P0 = A B: dA = dP0 B^T, dB = A^T dP0.
// CHECK-NEXT: %[[DA0:.+]] = marthe.matmul %[[E0]], %[[B]] {transpose_rhs} : (tensor<2x2xf32>, tensor<3x2xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[DB0:.+]] = marthe.matmul %[[A]], %[[E0]] {transpose_lhs} : (tensor<2x3xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: %[[GA:.+]] = marthe.add %[[S1]], %[[DA0]]
// CHECK-NEXT: %[[GB:.+]] = marthe.add %[[DB2]], %[[DB0]]
// CHECK-NEXT: return %{{.+}}, %[[GA]], %[[GB]]

// -----

// tanh' = 1 - y^2, applied to the adjoint a as a - a*y*y.

func.func @energy(%w: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<f32> {
  %0 = marthe.tanh %w : (tensor<3xf32>) -> tensor<3xf32>
  %1 = marthe.dot %0, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// CHECK-LABEL: func.func @energy_user
// CHECK: call @energy_grad_0(
// An argument the value does not depend on gets a zero gradient.
// CHECK: call @energy_grad_1(
func.func @energy_user(%w: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %l, %g = marthe.grad @energy(%w, %v) wrt [0] : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  %l2, %g2 = marthe.grad @energy(%w, %v) wrt [1] : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g, %g2 : tensor<3xf32>, tensor<3xf32>
}

// CHECK-LABEL: func.func private @energy_grad_0(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3xf32>{{.*}}, %[[V:[^:]+]]: tensor<3xf32>
// CHECK-SAME: -> (tensor<f32>, tensor<3xf32>)
// CHECK-NEXT: %[[T:.+]] = marthe.tanh %[[W]]
// CHECK-NEXT: %[[E:.+]] = marthe.dot %[[T]], %[[V]]
// CHECK-NEXT: %[[SEED:.+]] = marthe.constant dense<1.000000e+00>
// CHECK-NEXT: %[[DT:.+]] = marthe.mul %[[V]], %[[SEED]]
// CHECK-NEXT: marthe.mul %[[T]], %[[SEED]]
// CHECK-NEXT: %[[M1:.+]] = marthe.mul %[[DT]], %[[T]]
// CHECK-NEXT: %[[M2:.+]] = marthe.mul %[[M1]], %[[T]]
// CHECK-NEXT: %[[DW:.+]] = marthe.sub %[[DT]], %[[M2]]
// CHECK-NEXT: return %[[E]], %[[DW]]

// CHECK-LABEL: func.func private @energy_grad_1(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3xf32>{{.*}}, %[[V:[^:]+]]: tensor<3xf32>
// CHECK-NEXT: %[[T:.+]] = marthe.tanh %[[W]]
// CHECK-NEXT: marthe.dot
// CHECK-NEXT: %[[SEED:.+]] = marthe.constant dense<1.000000e+00>
// CHECK-NEXT: marthe.mul %[[V]], %[[SEED]]
// CHECK-NEXT: %[[DV:.+]] = marthe.mul %[[T]], %[[SEED]] : (tensor<3xf32>, tensor<f32>)
// CHECK: return %{{.+}}, %[[DV]]

// -----

// erf' = 2/sqrt(pi) exp(-x^2), applied to the adjoint a as a * (c * exp(-(x*x))).

func.func @gauss(%w: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<f32> {
  %0 = marthe.erf %w : (tensor<3xf32>) -> tensor<3xf32>
  %1 = marthe.dot %0, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}

func.func @gauss_user(%w: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<3xf32> {
  %l, %g = marthe.grad @gauss(%w, %v) wrt [0] : (tensor<3xf32>, tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// CHECK-LABEL: func.func private @gauss_grad_0(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3xf32>{{.*}}, %[[V:[^:]+]]: tensor<3xf32>
// CHECK: %[[DE:.+]] = marthe.mul %[[V]], %{{.+}}
// CHECK: %[[SQ:.+]] = marthe.mul %[[W]], %[[W]]
// CHECK-NEXT: %[[NSQ:.+]] = marthe.neg %[[SQ]]
// CHECK-NEXT: %[[G:.+]] = marthe.exp %[[NSQ]]
// CHECK-NEXT: %[[C:.+]] = marthe.constant dense<1.12837{{[0-9]*}}> : tensor<f32>
// CHECK-NEXT: %[[S:.+]] = marthe.mul %[[C]], %[[G]]
// CHECK-NEXT: %[[DW:.+]] = marthe.mul %[[DE]], %[[S]]
// CHECK-NEXT: return %{{.+}}, %[[DW]]

// -----

func.func @unused(%w: tensor<3xf32>, %u: tensor<2xf32>) -> tensor<f32> {
  %0 = marthe.dot %w, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// CHECK-LABEL: func.func @unused_user
func.func @unused_user(%w: tensor<3xf32>, %u: tensor<2xf32>) -> tensor<2xf32> {
  %l, %g = marthe.grad @unused(%w, %u) wrt [1] : (tensor<3xf32>, tensor<2xf32>) -> (tensor<f32>, tensor<2xf32>)
  return %g : tensor<2xf32>
}

// No adjoint reaches %u: its gradient is a zero constant.
// CHECK-LABEL: func.func private @unused_grad_1(
// CHECK: %[[Z:.+]] = marthe.constant dense<0.000000e+00> : tensor<2xf32> : tensor<2xf32>
// CHECK-NEXT: return %{{.+}}, %[[Z]]

// -----

func.func @inner(%w: tensor<3xf32>) -> tensor<f32> {
  %0 = marthe.dot %w, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func @outer(%w: tensor<3xf32>) -> tensor<f32> {
  // expected-note @+1 {{op here}}
  %0 = func.call @inner(%w) : (tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func @call_user(%w: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'marthe.grad' op cannot differentiate @outer: 'func.call' has no derivative rules (inline calls and lower marthe.grad before differentiating)}}
  %l, %g = marthe.grad @outer(%w) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

// -----

// Reverse mode over softmax_xent_hvp would need the third derivative.

func.func @hvp_loss(%z: tensor<2x3xf32>, %t: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+1 {{'marthe.softmax_xent_hvp' op has no reverse-mode rule (third derivative of cross-entropy)}}
  %0 = marthe.softmax_xent_hvp %z, %t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = marthe.dot %0, %0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<f32>
  return %1 : tensor<f32>
}

func.func @hvp_user(%z: tensor<2x3xf32>, %t: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %l, %g = marthe.grad @hvp_loss(%z, %t) wrt [1] : (tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>)
  return %g : tensor<2x3xf32>
}

// -----

// Window ops: a convolution's adjoints are its backward ops (input, filter);
// max pooling's is the scatter to the selected positions, through its values.

func.func @conv_loss(%w: tensor<4x1x3x3xf32> {marthe.role = "param:w"}, %x: tensor<2x1x6x6xf32> {marthe.role = "input"},
                     %y: tensor<2xi32> {marthe.role = "labels"}) -> (tensor<f32> {marthe.role = "loss"}) {
  %c = marthe.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<2x1x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<2x4x6x6xf32>
  %p = marthe.max_pool2d %c, %c {kernel = array<i64: 6, 6>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>) -> tensor<2x4x1x1xf32>
  %r = marthe.reshape %p : (tensor<2x4x1x1xf32>) -> tensor<2x4xf32>
  %l = marthe.softmax_xent %r, %y : (tensor<2x4xf32>, tensor<2xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// CHECK-LABEL: func.func private @conv_loss_grad_0(
// CHECK: %[[C:.+]] = marthe.conv2d %arg1, %arg0
// CHECK: %[[DR:.+]] = marthe.reshape %{{.+}} : (tensor<2x4xf32>) -> tensor<2x4x1x1xf32>
// CHECK: %[[DC:.+]] = marthe.max_unpool2d %[[C]], %[[DR]] {dilations = array<i64: 1, 1>, kernel = array<i64: 6, 6>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<2x4x6x6xf32>, tensor<2x4x1x1xf32>) -> tensor<2x4x6x6xf32>
// CHECK: %[[DW:.+]] = marthe.conv2d_backward_filter %arg1, %[[DC]] {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<2x1x6x6xf32>, tensor<2x4x6x6xf32>) -> tensor<4x1x3x3xf32>
// CHECK: return %{{.+}}, %[[DW]]
func.func @conv_user(%w: tensor<4x1x3x3xf32>, %x: tensor<2x1x6x6xf32>, %y: tensor<2xi32>) -> tensor<4x1x3x3xf32> {
  %l, %gw = marthe.grad @conv_loss(%w, %x, %y) wrt [0]
      : (tensor<4x1x3x3xf32>, tensor<2x1x6x6xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<4x1x3x3xf32>)
  return %gw : tensor<4x1x3x3xf32>
}

// -----

// concat's adjoint: one slice of the result adjoint per operand.
func.func @concat_loss(%w: tensor<2x3xf32> {marthe.role = "param:w"}, %x: tensor<2x1xf32> {marthe.role = "input"},
                       %y: tensor<2xi32> {marthe.role = "labels"}) -> (tensor<f32> {marthe.role = "loss"}) {
  %c = marthe.concat %w, %x {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %l = marthe.softmax_xent %c, %y : (tensor<2x4xf32>, tensor<2xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// CHECK-LABEL: func.func private @concat_loss_grad_0(
// CHECK: %[[G:.+]] = marthe.softmax_xent_grad
// CHECK: %[[DW:.+]] = marthe.slice %{{.+}} {axis = 1 : i64, offset = 0 : i64} : (tensor<2x4xf32>) -> tensor<2x3xf32>
// CHECK: return %{{.+}}, %[[DW]]
func.func @concat_user(%w: tensor<2x3xf32>, %x: tensor<2x1xf32>, %y: tensor<2xi32>) -> tensor<2x3xf32> {
  %l, %gw = marthe.grad @concat_loss(%w, %x, %y) wrt [0]
      : (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2xi32>) -> (tensor<f32>, tensor<2x3xf32>)
  return %gw : tensor<2x3xf32>
}
