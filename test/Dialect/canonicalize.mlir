// RUN: marthe-opt %s --canonicalize | FileCheck %s

// A reshape to the input's own type is the input.
// CHECK-LABEL: func.func @identity_reshape(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identity_reshape(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = marthe.reshape %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// A reshape of a reshape reshapes the original input once.
// CHECK-LABEL: func.func @reshape_of_reshape(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[R:.+]] = marthe.reshape %[[X]] : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = marthe.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = marthe.reshape %0 : (tensor<6xf32>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// A chain back to the input's shape disappears.
// CHECK-LABEL: func.func @round_trip(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @round_trip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = marthe.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = marthe.reshape %0 : (tensor<6xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// Adding a zero splat folds away; a reshape that changes the shape stays.
// CHECK-LABEL: func.func @kept(
// CHECK-NEXT: marthe.reshape
// CHECK-NEXT: return
func.func @kept(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  %z = marthe.constant dense<0.0> : tensor<2x3xf32> : tensor<2x3xf32>
  %s = marthe.add %x, %z : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = marthe.reshape %s : (tensor<2x3xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}
