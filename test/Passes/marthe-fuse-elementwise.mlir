// RUN: marthe-opt %s --marthe-fuse-elementwise | FileCheck %s
// Fusing again finds nothing left to group.
// RUN: marthe-opt %s --marthe-fuse-elementwise --marthe-fuse-elementwise | FileCheck %s

// The SGD update chain becomes one region; the scalar constant is cloned
// inside (the region is isolated from above) instead of becoming an input.
// CHECK-LABEL: func.func @sgd(
// CHECK-SAME: %[[ETA:[^:]+]]: tensor<f32>, %[[G:[^:]+]]: tensor<4xf32>, %[[W:[^:]+]]: tensor<4xf32>)
// CHECK-NOT: marthe.mul
// CHECK: %[[F:.+]] = marthe.fused(%[[ETA]], %[[G]], %[[W]]) : (tensor<f32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT: ^bb0(%[[E:[^:]+]]: tensor<f32>, %[[G0:[^:]+]]: tensor<4xf32>, %[[W0:[^:]+]]: tensor<4xf32>):
// CHECK-NEXT: %[[HALF:.+]] = marthe.constant dense<5.000000e-01> : tensor<f32>
// CHECK-NEXT: %[[A:.+]] = marthe.mul %[[E]], %[[G0]]
// CHECK-NEXT: %[[A2:.+]] = marthe.mul %[[HALF]], %[[A]]
// CHECK-NEXT: %[[B:.+]] = marthe.sub %[[W0]], %[[A2]]
// CHECK-NEXT: marthe.yield %[[B]] : tensor<4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
func.func @sgd(%eta: tensor<f32>, %g: tensor<4xf32>, %w: tensor<4xf32>) -> tensor<4xf32> {
  %half = marthe.constant dense<0.5> : tensor<f32> : tensor<f32>
  %a = marthe.mul %eta, %g : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %a2 = marthe.mul %half, %a : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %b = marthe.sub %w, %a2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %b : tensor<4xf32>
}

// %a feeds two groups, so it cannot be recomputed inside either: it is a
// group of its own whose result is an input of the other two.
// CHECK-LABEL: func.func @shared(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4xf32>)
// CHECK-NEXT: %[[A:.+]] = marthe.fused(%[[X]])
// CHECK-NEXT: ^bb0
// CHECK-NEXT: marthe.neg
// CHECK-NEXT: marthe.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[B:.+]] = marthe.fused(%[[A]])
// CHECK-NEXT: ^bb0
// CHECK-NEXT: marthe.tanh
// CHECK-NEXT: marthe.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[C:.+]] = marthe.fused(%[[A]])
// CHECK-NEXT: ^bb0
// CHECK-NEXT: marthe.relu
// CHECK-NEXT: marthe.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[B]], %[[C]]
func.func @shared(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = marthe.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %b = marthe.tanh %a : (tensor<4xf32>) -> tensor<4xf32>
  %c = marthe.relu %a : (tensor<4xf32>) -> tensor<4xf32>
  return %b, %c : tensor<4xf32>, tensor<4xf32>
}

// Several uses by ops of one group do not split it (a diamond).
// CHECK-LABEL: func.func @diamond(
// CHECK-NEXT: marthe.fused
// CHECK-NEXT: ^bb0
// CHECK-NEXT: marthe.neg
// CHECK-NEXT: marthe.tanh
// CHECK-NEXT: marthe.relu
// CHECK-NEXT: marthe.mul
// CHECK-NEXT: marthe.yield
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @diamond(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = marthe.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  %b = marthe.tanh %a : (tensor<4xf32>) -> tensor<4xf32>
  %c = marthe.relu %a : (tensor<4xf32>) -> tensor<4xf32>
  %d = marthe.mul %b, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// The matmul stays outside; the bias add broadcasts a 3-vector over the
// 2x3 iteration shape and is fused with the relu.
// CHECK-LABEL: func.func @layer(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xf32>, %[[W:[^:]+]]: tensor<3x4xf32>, %[[BIAS:[^:]+]]: tensor<3xf32>)
// CHECK-NEXT: %[[M:.+]] = marthe.matmul %[[X]], %[[W]] {transpose_rhs}
// CHECK-NEXT: %[[F:.+]] = marthe.fused(%[[M]], %[[BIAS]]) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> {
// CHECK-NEXT: ^bb0(%[[M0:[^:]+]]: tensor<2x3xf32>, %[[B0:[^:]+]]: tensor<3xf32>):
// CHECK-NEXT: %[[H:.+]] = marthe.add %[[M0]], %[[B0]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[R:.+]] = marthe.relu %[[H]]
// CHECK-NEXT: marthe.yield %[[R]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
func.func @layer(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>, %bias: tensor<3xf32>) -> tensor<2x3xf32> {
  %m = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %h = marthe.add %m, %bias : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %r = marthe.relu %h : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// A producer of another shape (here a scalar) is a group of its own, and a
// constant that is not a splat is passed in as an input.
// CHECK-LABEL: func.func @shapes(
// CHECK-SAME: %[[ETA:[^:]+]]: tensor<f32>, %[[G:[^:]+]]: tensor<4xf32>)
// CHECK-NEXT: %[[C:.+]] = marthe.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]>
// CHECK-NEXT: %[[E2:.+]] = marthe.fused(%[[ETA]]) : (tensor<f32>) -> tensor<f32> {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: marthe.mul
// CHECK-NEXT: marthe.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[S:.+]] = marthe.fused(%[[E2]], %[[G]], %[[C]]) : (tensor<f32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT: ^bb0
// CHECK-NEXT: marthe.mul
// CHECK-NEXT: marthe.add
// CHECK-NEXT: marthe.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[S]]
func.func @shapes(%eta: tensor<f32>, %g: tensor<4xf32>) -> tensor<4xf32> {
  %c = marthe.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32> : tensor<4xf32>
  %e2 = marthe.mul %eta, %eta : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %r = marthe.mul %e2, %g : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %s = marthe.add %r, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// A value also used outside the chain (by the return) ends the chain there.
// CHECK-LABEL: func.func @escaping(
// CHECK-NEXT: %[[A:.+]] = marthe.fused
// CHECK-NEXT: ^bb0
// CHECK-NEXT: marthe.mul
// CHECK-NEXT: marthe.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[B:.+]] = marthe.fused(%{{.+}}, %[[A]])
// CHECK-NEXT: ^bb0
// CHECK-NEXT: marthe.sub
// CHECK-NEXT: marthe.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @escaping(%eta: tensor<f32>, %g: tensor<4xf32>, %w: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = marthe.mul %eta, %g : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %b = marthe.sub %w, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %a, %b : tensor<4xf32>, tensor<4xf32>
}
