// RUN: marthe-opt %s --marthe-derive-training-step="optimizer=schedulefree_sgd" | FileCheck %s
// RUN: marthe-opt %s --marthe-derive-training-step="optimizer=adam" | FileCheck %s --check-prefix=NONE

// A model with running statistics trained by a schedule-free kind gets
// @evaluation_statistics: one training-mode pass (@forward_train) at the
// parameters it is given, returning the updated statistics, which the
// trainer runs at x before it evaluates. Other kinds evaluate their iterate,
// whose statistics the step keeps.
func.func @forward(%w: tensor<3x4xf32> {marthe.role = "param:w"},
                   %m: tensor<3xf32> {marthe.role = "stat:m"},
                   %x: tensor<2x4xf32> {marthe.role = "input"}) -> tensor<2x3xf32> {
  %0 = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %1 = marthe.sub %0, %m : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

func.func private @forward_train(%w: tensor<3x4xf32> {marthe.role = "param:w"},
                                 %m: tensor<3xf32> {marthe.role = "stat:m"},
                                 %x: tensor<2x4xf32> {marthe.role = "input"})
    -> (tensor<2x3xf32>, tensor<3xf32>) {
  %0 = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %1 = marthe.add %m, %m : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<3xf32>
}

// CHECK-LABEL: func.func @evaluation_statistics(
// CHECK-SAME: %[[W:[^:]+]]: tensor<3x4xf32> {marthe.role = "param:w"},
// CHECK-SAME: %[[M:[^:]+]]: tensor<3xf32> {marthe.role = "stat:m"},
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xf32> {marthe.role = "input"})
// CHECK-SAME: -> (tensor<3xf32> {marthe.role = "stat:m"})
// CHECK: %[[R:.+]]:2 = call @forward_train(%[[W]], %[[M]], %[[X]])
// CHECK: return %[[R]]#1

// NONE-NOT: @evaluation_statistics
