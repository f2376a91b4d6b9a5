// RUN: marthe-opt %s --marthe-training-pipeline > %t
// RUN: FileCheck %s < %t
// RUN: FileCheck %s --check-prefix=LOWERED < %t
// RUN: FileCheck %s --check-prefix=FWD < %t
// RUN: FileCheck %s --check-prefix=BWD < %t
// RUN: marthe-opt %s --marthe-training-pipeline="hypergradient=false" | FileCheck %s --check-prefix=NOHG

func.func @forward(%w: tensor<3x4xf32> {marthe.role = "param:w"}, %b: tensor<3xf32> {marthe.role = "param:b"},
                   %x: tensor<2x4xf32> {marthe.role = "input"}) -> tensor<2x3xf32> {
  %0 = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %1 = marthe.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = marthe.tanh %1 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// The public entry points the runtime binds, in this order.
// CHECK-LABEL: func.func @forward(
// CHECK-LABEL: func.func @loss(
// CHECK-LABEL: func.func @train_step(
// CHECK-LABEL: func.func @marthe_step(
// CHECK: marthe.schedule_update {{.*}} {adaptive_mu}

// Every differentiation request is lowered and inlined, and the derived
// private functions are gone.
// LOWERED-NOT: private
// LOWERED-NOT: marthe.grad
// LOWERED-NOT: marthe.jvp
// LOWERED-NOT: call

// The two jvp requests and the validation gradient all run the step's
// forward pass at the same point; CSE leaves one x w^T.
// FWD-LABEL: func.func @marthe_step(
// FWD-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// FWD-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// FWD-NOT: marthe.matmul %[[X]], %[[W]] {transpose_rhs}
// FWD: marthe.matmul %[[X]], %[[W]] {transpose_rhs}
// FWD-NOT: marthe.matmul %[[X]], %[[W]] {transpose_rhs}

// Likewise the reverse pass of the training batch: dW = dZ^T x once for the
// step, once for its tangent (forward over reverse), and no more.
// BWD-LABEL: func.func @marthe_step(
// BWD-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"},
// BWD-NOT: marthe.matmul %{{[^,]+}}, %[[X]] {transpose_lhs}
// BWD-COUNT-2: marthe.matmul %{{[^,]+}}, %[[X]] {transpose_lhs}
// BWD-NOT: marthe.matmul %{{[^,]+}}, %[[X]] {transpose_lhs}

// Without the hypergradient there is no @marthe_step.
// NOHG-LABEL: func.func @train_step(
// NOHG-NOT: func.func @marthe_step
