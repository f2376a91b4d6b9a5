// RUN: marthe-opt %s --marthe-lower-to-library-calls | FileCheck %s

// Each heavy op becomes its destination-passing library-call op writing a
// fresh init; element-wise ops are left to marthe-lower-to-linalg.
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>, %[[W:[^:]+]]: tensor<4x3xf32>, %[[Y:[^:]+]]: tensor<2xi32>, %[[T:[^:]+]]: tensor<2x4xf32>)
// CHECK-NOT: marthe.matmul
// CHECK: %[[I0:.+]] = tensor.empty() : tensor<2x4xf32>
// CHECK-NEXT: %[[L:.+]] = marthe.library.gemm ins(%[[X]], %[[W]] : tensor<2x3xf32>, tensor<4x3xf32>) outs(%[[I0]] : tensor<2x4xf32>) {transpose_rhs} -> tensor<2x4xf32>
// CHECK-NEXT: %[[R:.+]] = marthe.relu %[[L]]
// CHECK-NEXT: %[[I1:.+]] = tensor.empty() : tensor<f32>
// CHECK-NEXT: %[[LOSS:.+]] = marthe.library.softmax_xent ins(%[[R]], %[[Y]] : tensor<2x4xf32>, tensor<2xi32>) outs(%[[I1]] : tensor<f32>) -> tensor<f32>
// CHECK-NEXT: %[[I2:.+]] = tensor.empty() : tensor<2x4xf32>
// CHECK-NEXT: %[[G:.+]] = marthe.library.softmax_xent_grad ins(%[[R]], %[[Y]] : tensor<2x4xf32>, tensor<2xi32>) outs(%[[I2]] : tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[I3:.+]] = tensor.empty() : tensor<2x4xf32>
// CHECK-NEXT: %[[H:.+]] = marthe.library.softmax_xent_hvp ins(%[[R]], %[[T]] : tensor<2x4xf32>, tensor<2x4xf32>) outs(%[[I3]] : tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[I4:.+]] = tensor.empty() : tensor<3x4xf32>
// CHECK-NEXT: %[[GW:.+]] = marthe.library.gemm ins(%[[X]], %[[G]] : tensor<2x3xf32>, tensor<2x4xf32>) outs(%[[I4]] : tensor<3x4xf32>) {transpose_lhs} -> tensor<3x4xf32>
// CHECK-NEXT: return %[[LOSS]], %[[H]], %[[GW]]

func.func @step(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>, %y: tensor<2xi32>, %t: tensor<2x4xf32>)
    -> (tensor<f32> {marthe.role = "loss"}, tensor<2x4xf32>, tensor<3x4xf32>) {
  %l = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  %r = marthe.relu %l : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %loss = marthe.softmax_xent %r, %y : (tensor<2x4xf32>, tensor<2xi32>) -> tensor<f32>
  %g = marthe.softmax_xent_grad %r, %y : (tensor<2x4xf32>, tensor<2xi32>) -> tensor<2x4xf32>
  %h = marthe.softmax_xent_hvp %r, %t : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %gw = marthe.matmul %x, %g {transpose_lhs} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
  return %loss, %h, %gw : tensor<f32>, tensor<2x4xf32>, tensor<3x4xf32>
}
