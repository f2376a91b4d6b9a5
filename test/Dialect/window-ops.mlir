// RUN: marthe-opt %s | marthe-opt | FileCheck %s

// The window ops round-trip with their geometry.
// CHECK-LABEL: func.func @windows
// CHECK: marthe.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x3x3xf32>
// CHECK: marthe.conv2d_backward_data
// CHECK-SAME: (tensor<2x6x3x3xf32>, tensor<6x2x3x3xf32>) -> tensor<2x4x5x5xf32>
// CHECK: marthe.conv2d_backward_filter
// CHECK-SAME: (tensor<2x4x5x5xf32>, tensor<2x6x3x3xf32>) -> tensor<6x2x3x3xf32>
// CHECK: marthe.max_pool2d
// CHECK-SAME: (tensor<2x4x5x5xf32>, tensor<2x4x5x5xf32>) -> tensor<2x4x2x2xf32>
// CHECK: marthe.max_unpool2d
// CHECK-SAME: (tensor<2x4x5x5xf32>, tensor<2x4x2x2xf32>) -> tensor<2x4x5x5xf32>
func.func @windows(%x: tensor<2x4x5x5xf32>, %w: tensor<6x2x3x3xf32>, %dy: tensor<2x6x3x3xf32>, %p: tensor<2x4x2x2xf32>) {
  %y = marthe.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<2x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x3x3xf32>
  %dx = marthe.conv2d_backward_data %dy, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<2x6x3x3xf32>, tensor<6x2x3x3xf32>) -> tensor<2x4x5x5xf32>
  %dw = marthe.conv2d_backward_filter %x, %dy {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<2x4x5x5xf32>, tensor<2x6x3x3xf32>) -> tensor<6x2x3x3xf32>
  %m = marthe.max_pool2d %x, %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x4x5x5xf32>, tensor<2x4x5x5xf32>) -> tensor<2x4x2x2xf32>
  %u = marthe.max_unpool2d %x, %p {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x4x5x5xf32>, tensor<2x4x2x2xf32>) -> tensor<2x4x5x5xf32>
  return
}
