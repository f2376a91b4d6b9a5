// RUN: marthe-opt %s -split-input-file -verify-diagnostics --marthe-forward-ad | FileCheck %s

// One SGD step on a linear classifier, written out by hand:
// w1 = w - eta * (softmax_xent_grad(x w^T, y)^T x).

func.func @step(%w: tensor<3x4xf32> {marthe.role = "param:w"}, %x: tensor<2x4xf32> {marthe.role = "input"},
                %y: tensor<2xi32> {marthe.role = "labels"}, %eta: tensor<f32> {marthe.role = "eta"})
    -> (tensor<3x4xf32> {marthe.role = "param:w"}, tensor<f32> {marthe.role = "loss"}) {
  %z = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %l = marthe.softmax_xent %z, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
  %g = marthe.softmax_xent_grad %z, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<2x3xf32>
  %gw = marthe.matmul %g, %x {transpose_lhs} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
  %s = marthe.mul %eta, %gw : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %w1 = marthe.sub %w, %s : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %w1, %l : tensor<3x4xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @user(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32>, %[[X:[^:]+]]: tensor<2x4xf32>, %[[Y:[^:]+]]: tensor<2xi32>, %[[ETA:[^:]+]]: tensor<f32>, %[[V:[^:]+]]: tensor<3x4xf32>, %[[U:[^:]+]]: tensor<2x4xf32>)
// CHECK-NOT: marthe.jvp
// The tangents follow the arguments in the call.
// CHECK: %[[A:.+]]:4 = call @step_jvp_3(%[[W]], %[[X]], %[[Y]], %[[ETA]], %[[ETA]]) : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xi32>, tensor<f32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<f32>, tensor<3x4xf32>, tensor<f32>)
// CHECK-NEXT: %[[B:.+]]:4 = call @step_jvp_0(%[[W]], %[[X]], %[[Y]], %[[ETA]], %[[V]])
// CHECK-NEXT: %[[C:.+]]:4 = call @step_jvp_0_1(%[[W]], %[[X]], %[[Y]], %[[ETA]], %[[V]], %[[U]])
// CHECK-NEXT: return %[[A]]#2, %[[B]]#2, %[[C]]#2, %[[A]]#3
func.func @user(%w: tensor<3x4xf32>, %x: tensor<2x4xf32>, %y: tensor<2xi32>, %eta: tensor<f32>,
                %v: tensor<3x4xf32>, %u: tensor<2x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<f32>) {
  %a:4 = marthe.jvp @step(%w, %x, %y, %eta) wrt [3] tangents(%eta)
      : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xi32>, tensor<f32>, tensor<f32>) -> (tensor<3x4xf32>, tensor<f32>, tensor<3x4xf32>, tensor<f32>)
  %b:4 = marthe.jvp @step(%w, %x, %y, %eta) wrt [0] tangents(%v)
      : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xi32>, tensor<f32>, tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<f32>, tensor<3x4xf32>, tensor<f32>)
  %c:4 = marthe.jvp @step(%w, %x, %y, %eta) wrt [0, 1] tangents(%v, %u)
      : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xi32>, tensor<f32>, tensor<3x4xf32>, tensor<2x4xf32>) -> (tensor<3x4xf32>, tensor<f32>, tensor<3x4xf32>, tensor<f32>)
  return %a#2, %b#2, %c#2, %a#3 : tensor<3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<f32>
}

// Along eta only: the tangent of w1 is -(deta * gw). Nothing upstream of the
// multiplication by eta has a tangent, so no tangent matmul, softmax_xent_hvp
// or dot is built, and the loss, independent of eta, gets a zero tangent.
// CHECK-LABEL: func.func private @step_jvp_3(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// CHECK-SAME: %[[Y:[^:]+]]: tensor<2xi32> {marthe.role = "labels"},
// CHECK-SAME: %[[ETA:[^:]+]]: tensor<f32> {marthe.role = "eta"},
// CHECK-SAME: %[[DETA:[^:]+]]: tensor<f32> {marthe.role = "tangent:eta"})
// CHECK-SAME: -> (tensor<3x4xf32> {marthe.role = "param:w"}, tensor<f32> {marthe.role = "loss"},
// CHECK-SAME: tensor<3x4xf32> {marthe.role = "tangent:param:w"}, tensor<f32> {marthe.role = "tangent:loss"})
// CHECK-NEXT: %[[Z:.+]] = marthe.matmul %[[X]], %[[W]] {transpose_rhs}
// CHECK-NEXT: %[[L:.+]] = marthe.softmax_xent %[[Z]], %[[Y]]
// CHECK-NEXT: %[[G:.+]] = marthe.softmax_xent_grad %[[Z]], %[[Y]]
// CHECK-NEXT: %[[GW:.+]] = marthe.matmul %[[G]], %[[X]] {transpose_lhs}
// CHECK-NEXT: %[[S:.+]] = marthe.mul %[[ETA]], %[[GW]]
// CHECK-NEXT: %[[DS:.+]] = marthe.mul %[[DETA]], %[[GW]] : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: %[[W1:.+]] = marthe.sub %[[W]], %[[S]]
// CHECK-NEXT: %[[DW1:.+]] = marthe.neg %[[DS]]
// CHECK-NEXT: %[[ZERO:.+]] = marthe.constant dense<0.000000e+00> : tensor<f32> : tensor<f32>
// CHECK-NEXT: return %[[W1]], %[[L]], %[[DW1]], %[[ZERO]]

// Along w: the tangent of z = x w^T is x v^T, that of the loss is
// <softmax_xent_grad, dz>, and that of softmax_xent_grad is the Hessian
// product softmax_xent_hvp(z, dz).
// CHECK-LABEL: func.func private @step_jvp_0(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// CHECK-SAME: %[[Y:[^:]+]]: tensor<2xi32> {marthe.role = "labels"},
// CHECK-SAME: %[[ETA:[^:]+]]: tensor<f32> {marthe.role = "eta"},
// CHECK-SAME: %[[V:[^:]+]]: tensor<3x4xf32> {marthe.role = "tangent:param:w"})
// CHECK-NEXT: %[[Z:.+]] = marthe.matmul %[[X]], %[[W]] {transpose_rhs}
// CHECK-NEXT: %[[DZ:.+]] = marthe.matmul %[[X]], %[[V]] {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[L:.+]] = marthe.softmax_xent %[[Z]], %[[Y]]
// CHECK-NEXT: %[[G0:.+]] = marthe.softmax_xent_grad %[[Z]], %[[Y]]
// CHECK-NEXT: %[[DL:.+]] = marthe.dot %[[G0]], %[[DZ]]
// CHECK-NEXT: %[[G:.+]] = marthe.softmax_xent_grad %[[Z]], %[[Y]]
// CHECK-NEXT: %[[DG:.+]] = marthe.softmax_xent_hvp %[[Z]], %[[DZ]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[GW:.+]] = marthe.matmul %[[G]], %[[X]] {transpose_lhs}
// CHECK-NEXT: %[[DGW:.+]] = marthe.matmul %[[DG]], %[[X]] {transpose_lhs}
// CHECK-NEXT: %[[S:.+]] = marthe.mul %[[ETA]], %[[GW]]
// CHECK-NEXT: %[[DS:.+]] = marthe.mul %[[ETA]], %[[DGW]]
// CHECK-NEXT: %[[W1:.+]] = marthe.sub %[[W]], %[[S]]
// CHECK-NEXT: %[[DW1:.+]] = marthe.sub %[[V]], %[[DS]]
// CHECK-NEXT: return %[[W1]], %[[L]], %[[DW1]], %[[DL]]

// Along w and x: each matmul's tangent is the sum of two matmuls.
// CHECK-LABEL: func.func private @step_jvp_0_1(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// CHECK-SAME: %[[Y:[^:]+]]: tensor<2xi32> {marthe.role = "labels"},
// CHECK-SAME: %[[ETA:[^:]+]]: tensor<f32> {marthe.role = "eta"},
// CHECK-SAME: %[[V:[^:]+]]: tensor<3x4xf32> {marthe.role = "tangent:param:w"},
// CHECK-SAME: %[[U:[^:]+]]: tensor<2x4xf32> {marthe.role = "tangent:input"})
// CHECK-NEXT: %[[Z:.+]] = marthe.matmul %[[X]], %[[W]] {transpose_rhs}
// CHECK-NEXT: %[[DZX:.+]] = marthe.matmul %[[U]], %[[W]] {transpose_rhs}
// CHECK-NEXT: %[[DZW:.+]] = marthe.matmul %[[X]], %[[V]] {transpose_rhs}
// CHECK-NEXT: %[[DZ:.+]] = marthe.add %[[DZX]], %[[DZW]]
// CHECK: marthe.dot %{{.+}}, %[[DZ]]
// CHECK-NEXT: %[[G:.+]] = marthe.softmax_xent_grad %[[Z]], %[[Y]]
// CHECK-NEXT: %[[DG:.+]] = marthe.softmax_xent_hvp %[[Z]], %[[DZ]]
// CHECK-NEXT: marthe.matmul %[[G]], %[[X]] {transpose_lhs}
// CHECK-NEXT: %[[T2:.+]] = marthe.matmul %[[DG]], %[[X]] {transpose_lhs}
// CHECK-NEXT: %[[T1:.+]] = marthe.matmul %[[G]], %[[U]] {transpose_lhs}
// CHECK-NEXT: marthe.add %[[T2]], %[[T1]]

// -----

// Integer results get no tangent; a result that is a wrt argument has the
// argument's tangent; a float result outside the tangent's reach gets zero.

func.func @pass(%w: tensor<3xf32>, %y: tensor<2xi32>, %c: tensor<3xf32>) -> (tensor<2xi32>, tensor<3xf32>, tensor<3xf32>) {
  return %y, %w, %c : tensor<2xi32>, tensor<3xf32>, tensor<3xf32>
}

// CHECK-LABEL: func.func @pass_user
// CHECK: call @pass_jvp_0({{.*}}) : (tensor<3xf32>, tensor<2xi32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2xi32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
func.func @pass_user(%w: tensor<3xf32>, %y: tensor<2xi32>, %c: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<3xf32> {
  %r:5 = marthe.jvp @pass(%w, %y, %c) wrt [0] tangents(%v)
      : (tensor<3xf32>, tensor<2xi32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2xi32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %r#3 : tensor<3xf32>
}

// CHECK-LABEL: func.func private @pass_jvp_0(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3xf32>{{[^,]*}}, %[[Y:[^:]+]]: tensor<2xi32>{{[^,]*}}, %[[C:[^:]+]]: tensor<3xf32>{{[^,]*}}, %[[V:[^:]+]]: tensor<3xf32>
// CHECK-NEXT: %[[ZERO:.+]] = marthe.constant dense<0.000000e+00> : tensor<3xf32> : tensor<3xf32>
// CHECK-NEXT: return %[[Y]], %[[W]], %[[C]], %[[V]], %[[ZERO]]

// -----

// The tangent in the tangent operand of softmax_xent_hvp is another Hessian
// product (the op is linear in it).

func.func @hvp(%z: tensor<2x3xf32>, %t: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = marthe.softmax_xent_hvp %z, %t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @hvp_user
func.func @hvp_user(%z: tensor<2x3xf32>, %t: tensor<2x3xf32>, %s: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %r:2 = marthe.jvp @hvp(%z, %t) wrt [1] tangents(%s)
      : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
  return %r#1 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func private @hvp_jvp_1(
// CHECK-SAME: %[[Z:[^:]+]]: tensor<2x3xf32>{{[^,]*}}, %[[T:[^:]+]]: tensor<2x3xf32>{{[^,]*}}, %[[S:[^:]+]]: tensor<2x3xf32>
// CHECK-NEXT: %[[H:.+]] = marthe.softmax_xent_hvp %[[Z]], %[[T]]
// CHECK-NEXT: %[[DH:.+]] = marthe.softmax_xent_hvp %[[Z]], %[[S]]
// CHECK-NEXT: return %[[H]], %[[DH]]

// -----

// A tangent in the logits of softmax_xent_hvp needs the third derivative.

func.func @third(%z: tensor<2x3xf32>, %t: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'marthe.softmax_xent_hvp' op has no forward-mode rule in the logits (third derivative of cross-entropy)}}
  %0 = marthe.softmax_xent_hvp %z, %t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

func.func @third_user(%z: tensor<2x3xf32>, %t: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %r:2 = marthe.jvp @third(%z, %t) wrt [0] tangents(%t)
      : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>)
  return %r#1 : tensor<2x3xf32>
}

// -----

// Reverse-mode requests in the callee must be lowered first.

func.func @loss(%w: tensor<3xf32>) -> tensor<f32> {
  %0 = marthe.dot %w, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

func.func @with_grad(%w: tensor<3xf32>) -> tensor<3xf32> {
  // expected-note @+1 {{op here}}
  %l, %g = marthe.grad @loss(%w) wrt [0] : (tensor<3xf32>) -> (tensor<f32>, tensor<3xf32>)
  return %g : tensor<3xf32>
}

func.func @grad_user(%w: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'marthe.jvp' op cannot differentiate @with_grad: 'marthe.grad' has no derivative rules (inline calls and lower marthe.grad before differentiating)}}
  %r:2 = marthe.jvp @with_grad(%w) wrt [0] tangents(%v)
      : (tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
  return %r#1 : tensor<3xf32>
}

// -----

// The tangent of sqrt is sqrt_grad (t / 2y, and 0 where y = 0, as Adam's
// ds needs); the tangent of sqrt_grad in both operands keeps that guard.

func.func @root(%x: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<4xf32> {
  %0 = marthe.sqrt %x : (tensor<4xf32>) -> tensor<4xf32>
  %1 = marthe.sqrt_grad %0, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

func.func @root_user(%x: tensor<4xf32>, %v: tensor<4xf32>, %tx: tensor<4xf32>,
                     %tv: tensor<4xf32>) -> tensor<4xf32> {
  %r:2 = marthe.jvp @root(%x, %v) wrt [0, 1] tangents(%tx, %tv)
      : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  return %r#1 : tensor<4xf32>
}

// CHECK-LABEL: func.func private @root_jvp_0_1(
// CHECK-SAME: %[[X:arg[0-9]+]]: {{.*}}, %[[V:arg[0-9]+]]: {{.*}}, %[[TX:arg[0-9]+]]: {{.*}}, %[[TV:arg[0-9]+]]: 
// CHECK-NEXT: %[[Y:.+]] = marthe.sqrt %[[X]]
// CHECK-NEXT: %[[TY:.+]] = marthe.sqrt_grad %[[Y]], %[[TX]]
// CHECK-NEXT: %[[Z:.+]] = marthe.sqrt_grad %[[Y]], %[[V]]
// CHECK-NEXT: %[[LIN:.+]] = marthe.sqrt_grad %[[Y]], %[[TV]]
// CHECK-NEXT: %[[VT:.+]] = marthe.mul %[[V]], %[[TY]]
// CHECK-NEXT: %[[IN:.+]] = marthe.sqrt_grad %[[Y]], %[[VT]]
// CHECK-NEXT: %[[TW:.+]] = marthe.sqrt_grad %[[Y]], %[[IN]]
// CHECK-NEXT: %[[M2:.+]] = marthe.constant dense<-2.000000e+00>
// CHECK-NEXT: %[[NL:.+]] = marthe.mul %[[TW]], %[[M2]]
// CHECK-NEXT: %[[T:.+]] = marthe.add %[[LIN]], %[[NL]]
// CHECK-NEXT: return %[[Z]], %[[T]]

// -----

// The tangent of a convolution's filter gradient (forward over reverse): the
// backward-filter op is bilinear, so its tangent is the sum of the op on
// each operand's tangent; the unpooling is linear in its values and takes
// the same keys.

func.func @conv_grad(%x: tensor<2x1x6x6xf32> {marthe.role = "input"}, %dy: tensor<2x4x3x3xf32> {marthe.role = "dy"},
                     %k: tensor<2x4x6x6xf32> {marthe.role = "keys"})
    -> (tensor<4x1x3x3xf32> {marthe.role = "dw"}, tensor<2x4x6x6xf32> {marthe.role = "dk"}) {
  %dw = marthe.conv2d_backward_filter %x, %dy {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<2x1x6x6xf32>, tensor<2x4x3x3xf32>) -> tensor<4x1x3x3xf32>
  %u = marthe.max_unpool2d %k, %dy {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x4x6x6xf32>, tensor<2x4x3x3xf32>) -> tensor<2x4x6x6xf32>
  return %dw, %u : tensor<4x1x3x3xf32>, tensor<2x4x6x6xf32>
}

// Arguments: x, dy, keys, then their tangents.
// CHECK-LABEL: func.func private @conv_grad_jvp_0_1_2(
// CHECK-DAG: %[[A:.+]] = marthe.conv2d_backward_filter %arg3, %arg1
// CHECK-DAG: %[[B:.+]] = marthe.conv2d_backward_filter %arg0, %arg4
// CHECK: %[[T:.+]] = marthe.add %{{.+}}, %{{.+}} : (tensor<4x1x3x3xf32>, tensor<4x1x3x3xf32>)
// CHECK: %[[TU:.+]] = marthe.max_unpool2d %arg2, %arg4
// CHECK: return %{{.+}}, %{{.+}}, %[[T]], %[[TU]]
func.func @conv_grad_user(%x: tensor<2x1x6x6xf32>, %dy: tensor<2x4x3x3xf32>, %k: tensor<2x4x6x6xf32>,
                          %tx: tensor<2x1x6x6xf32>, %tdy: tensor<2x4x3x3xf32>, %tk: tensor<2x4x6x6xf32>)
    -> (tensor<4x1x3x3xf32>, tensor<2x4x6x6xf32>) {
  %r:4 = marthe.jvp @conv_grad(%x, %dy, %k) wrt [0, 1, 2] tangents(%tx, %tdy, %tk)
      : (tensor<2x1x6x6xf32>, tensor<2x4x3x3xf32>, tensor<2x4x6x6xf32>, tensor<2x1x6x6xf32>, tensor<2x4x3x3xf32>, tensor<2x4x6x6xf32>)
      -> (tensor<4x1x3x3xf32>, tensor<2x4x6x6xf32>, tensor<4x1x3x3xf32>, tensor<2x4x6x6xf32>)
  return %r#2, %r#3 : tensor<4x1x3x3xf32>, tensor<2x4x6x6xf32>
}
