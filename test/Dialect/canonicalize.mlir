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

// A scalar factor of a matmul operand moves to the (smaller) product.
// CHECK-LABEL: func.func @scalar_factor(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x4xf32>, %[[Z:[^:]+]]: tensor<3x4xf32>, %[[MU:[^:]+]]: tensor<f32>)
// CHECK-NEXT: %[[P:.+]] = marthe.matmul %[[X]], %[[Z]] {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[S:.+]] = marthe.mul %[[MU]], %[[P]] : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[S]]
func.func @scalar_factor(%x: tensor<2x4xf32>, %z: tensor<3x4xf32>, %mu: tensor<f32>) -> tensor<2x3xf32> {
  %muz = marthe.mul %z, %mu : (tensor<3x4xf32>, tensor<f32>) -> tensor<3x4xf32>
  %0 = marthe.matmul %x, %muz {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// A non-scalar factor stays where it is.
// CHECK-LABEL: func.func @bias_factor(
// CHECK-NEXT: marthe.mul
// CHECK-NEXT: marthe.matmul
func.func @bias_factor(%x: tensor<2x4xf32>, %z: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  %bz = marthe.mul %z, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %0 = marthe.matmul %x, %bz {transpose_rhs} : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// A transpose by its inverse permutation gives the input back; the identity
// permutation is the input itself.
// CHECK-LABEL: func.func @transposes(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.+]] = marthe.transpose %[[X]] {permutation = array<i64: 1, 2, 0>}
// CHECK-NEXT: return %[[X]], %[[X]], %[[T]]
func.func @transposes(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<3x4x2xf32>) {
  %t = marthe.transpose %x {permutation = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %back = marthe.transpose %t {permutation = array<i64: 2, 0, 1>} : (tensor<3x4x2xf32>) -> tensor<2x3x4xf32>
  %same = marthe.transpose %x {permutation = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %back, %same, %t : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<3x4x2xf32>
}

// Broadcasting or summing to the same shape is the input.
// CHECK-LABEL: func.func @unit_broadcasts(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]]
func.func @unit_broadcasts(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %b = marthe.broadcast %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %s = marthe.reduce_sum %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %b, %s : tensor<2x3xf32>, tensor<2x3xf32>
}
