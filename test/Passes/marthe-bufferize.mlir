// RUN: marthe-opt %s --marthe-bufferize | FileCheck %s

// One-shot bufferization of whole functions: arguments become memrefs with
// the identity layout, results become out-parameters that keep their roles
// (marked bufferize.result), library calls and loop nests write buffers in
// place, tensor.empty becomes an allocation and a reshape a view. Results are
// copied into the out-parameters; marthe-plan-memory removes those copies.
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[X:[^:]+]]: memref<2x3xf32> {marthe.role = "input"}, %[[W:[^:]+]]: memref<4x3xf32> {marthe.role = "param:w"}, %[[Y:[^:]+]]: memref<2xi32> {marthe.role = "labels"},
// CHECK-SAME: %[[LOSS:[^:]+]]: memref<f32> {bufferize.result, marthe.role = "loss"}, %[[OUT:[^:]+]]: memref<8xf32> {bufferize.result, marthe.role = "flat"}, %[[SAME:[^:]+]]: memref<4x3xf32> {bufferize.result, marthe.role = "param:w"})
// CHECK-NOT: tensor
// CHECK: %[[L:.+]] = memref.alloc() {{.*}}: memref<2x4xf32>
// CHECK-NEXT: marthe.library.gemm ins(%[[X]], %[[W]] : memref<2x3xf32>, memref<4x3xf32>) outs(%[[L]] : memref<2x4xf32>) {transpose_rhs}
// CHECK-NEXT: %[[R:.+]] = memref.alloc() {{.*}}: memref<2x4xf32>
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[L]] : memref<2x4xf32>) outs(%[[R]] : memref<2x4xf32>)
// CHECK: %[[L2:.+]] = memref.alloc() {{.*}}: memref<f32>
// CHECK-NEXT: marthe.library.softmax_xent ins(%[[R]], %[[Y]] : memref<2x4xf32>, memref<2xi32>) outs(%[[L2]] : memref<f32>)
// CHECK-NEXT: %[[FLAT:.+]] = memref.collapse_shape %[[R]] {{\[\[}}0, 1]] : memref<2x4xf32> into memref<8xf32>
// CHECK-NEXT: memref.copy %[[L2]], %[[LOSS]]
// CHECK-NEXT: memref.copy %[[FLAT]], %[[OUT]]
// CHECK-NEXT: memref.copy %[[W]], %[[SAME]]
// CHECK-NEXT: return
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @step(%x: tensor<2x3xf32> {marthe.role = "input"}, %w: tensor<4x3xf32> {marthe.role = "param:w"},
                %y: tensor<2xi32> {marthe.role = "labels"})
    -> (tensor<f32> {marthe.role = "loss"}, tensor<8xf32> {marthe.role = "flat"}, tensor<4x3xf32> {marthe.role = "param:w"}) {
  %i0 = tensor.empty() : tensor<2x4xf32>
  %l = marthe.library.gemm ins(%x, %w : tensor<2x3xf32>, tensor<4x3xf32>) outs(%i0 : tensor<2x4xf32>) {transpose_rhs} -> tensor<2x4xf32>
  %i1 = tensor.empty() : tensor<2x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%l : tensor<2x4xf32>) outs(%i1 : tensor<2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x4xf32>
  %i2 = tensor.empty() : tensor<f32>
  %loss = marthe.library.softmax_xent ins(%r, %y : tensor<2x4xf32>, tensor<2xi32>) outs(%i2 : tensor<f32>) -> tensor<f32>
  %flat = tensor.collapse_shape %r [[0, 1]] : tensor<2x4xf32> into tensor<8xf32>
  return %loss, %flat, %w : tensor<f32>, tensor<8xf32>, tensor<4x3xf32>
}
