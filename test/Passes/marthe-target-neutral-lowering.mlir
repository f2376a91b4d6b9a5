// RUN: marthe-opt %s --marthe-target-neutral-lowering | FileCheck %s

// From fused tensor code to planned buffers: the GEMM is a library call into
// the arena, the fused bias-and-relu group a loop nest writing the result
// buffer directly, and the function takes the caller's arena last.
// CHECK-LABEL: func.func @forward(
// CHECK-SAME: %[[W:[^:]+]]: memref<4x3xf32> {marthe.role = "param:w"}, %[[B:[^:]+]]: memref<4xf32> {marthe.role = "param:b"}, %[[X:[^:]+]]: memref<2x3xf32> {marthe.role = "input"},
// CHECK-SAME: %[[OUT:[^:]+]]: memref<2x4xf32> {bufferize.result, marthe.role = "logits"}, %[[ARENA:[^:]+]]: memref<64xi8> {marthe.role = "arena"})
// CHECK-SAME: attributes {marthe.arena_bytes = 64 : i64
// CHECK-NOT: tensor
// CHECK: %[[MM:.+]] = memref.view %[[ARENA]][%{{.+}}][] : memref<64xi8> to memref<2x4xf32>
// CHECK-NEXT: marthe.library.gemm ins(%[[X]], %[[W]] : memref<2x3xf32>, memref<4x3xf32>) outs(%[[MM]] : memref<2x4xf32>) {transpose_rhs}
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[MM]], %[[B]] : memref<2x4xf32>, memref<4xf32>) outs(%[[OUT]] : memref<2x4xf32>)
// CHECK: arith.addf
// CHECK: arith.select
// CHECK-NOT: memref.copy
// CHECK: return
func.func @forward(%w: tensor<4x3xf32> {marthe.role = "param:w"}, %b: tensor<4xf32> {marthe.role = "param:b"},
                   %x: tensor<2x3xf32> {marthe.role = "input"}) -> (tensor<2x4xf32> {marthe.role = "logits"}) {
  %0 = marthe.matmul %x, %w {transpose_rhs} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  %1 = marthe.fused(%0, %b) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32> {
  ^bb0(%a: tensor<2x4xf32>, %c: tensor<4xf32>):
    %s = marthe.add %a, %c : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %r = marthe.relu %s : (tensor<2x4xf32>) -> tensor<2x4xf32>
    marthe.yield %r : tensor<2x4xf32>
  }
  return %1 : tensor<2x4xf32>
}
