// RUN: marthe-opt %s --marthe-derive-training-step | FileCheck %s

// Running statistics of a model without @forward_train (its
// BatchNormalization nodes normalize with them, training_mode = 0) are state
// the step returns unchanged. (Found by the importer's fuzz corpus: the step
// returned the parameters alone, and the verifier refused it.)
func.func @forward(%w: tensor<3x4xf32> {marthe.role = "param:w"},
                   %m: tensor<3xf32> {marthe.role = "stat:m"},
                   %x: tensor<2x4xf32> {marthe.role = "input"}) -> tensor<2x3xf32> {
  %0 = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %1 = marthe.sub %0, %m : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// CHECK-SAME: %[[M:[^:]+]]: tensor<3xf32> {marthe.role = "stat:m"},
// CHECK: %[[G:[^:]+]]:2 = marthe.grad @loss
// CHECK: %[[W1:.+]] = marthe.sub %[[W]],
// CHECK: return %[[W1]], %[[M]], %[[G]]#0
