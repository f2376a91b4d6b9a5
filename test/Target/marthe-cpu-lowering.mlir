// RUN: marthe-opt %s --marthe-cpu-lowering | FileCheck %s

// Planned buffers to the LLVM dialect: memrefs become bare pointers (the
// roles and the plan stay as attributes for the object emitter), the GEMM a
// call of the runtime's BLAS kernel, the loop nest branches over loads and
// stores, and the arena views pointer offsets.
// CHECK-DAG: llvm.func @marthe_rt_gemm_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, i32, i32)
// CHECK-LABEL: llvm.func @forward(
// CHECK-SAME: %[[W:[^:]+]]: !llvm.ptr {marthe.role = "param:w"}, %[[B:[^:]+]]: !llvm.ptr {marthe.role = "param:b"}, %[[X:[^:]+]]: !llvm.ptr {marthe.role = "input"},
// CHECK-SAME: %[[OUT:[^:]+]]: !llvm.ptr {bufferize.result, marthe.role = "logits"}, %[[ARENA:[^:]+]]: !llvm.ptr {marthe.role = "arena"})
// CHECK-SAME: marthe.arena_bytes = 64 : i64
// CHECK-SAME: marthe.buffer_types = [memref<4x3xf32>, memref<4xf32>, memref<2x3xf32>, memref<2x4xf32>, memref<64xi8>]
// CHECK-NOT: memref.
// CHECK: llvm.call @marthe_rt_gemm_f32(
// CHECK: llvm.br
// CHECK: llvm.load
// CHECK: llvm.fadd
// CHECK: llvm.select
// CHECK: llvm.store
// CHECK: llvm.return
#id = affine_map<(d0, d1) -> (d0, d1)>
#bias = affine_map<(d0, d1) -> (d1)>
func.func @forward(%w: memref<4x3xf32> {marthe.role = "param:w"}, %b: memref<4xf32> {marthe.role = "param:b"},
                   %x: memref<2x3xf32> {marthe.role = "input"},
                   %out: memref<2x4xf32> {bufferize.result, marthe.role = "logits"},
                   %arena: memref<64xi8> {marthe.role = "arena"})
    attributes {marthe.arena_bytes = 64 : i64,
                marthe.buffer_types = [memref<4x3xf32>, memref<4xf32>, memref<2x3xf32>, memref<2x4xf32>, memref<64xi8>]} {
  %c0 = arith.constant 0 : index
  %mm = memref.view %arena[%c0][] : memref<64xi8> to memref<2x4xf32>
  marthe.library.gemm ins(%x, %w : memref<2x3xf32>, memref<4x3xf32>) outs(%mm : memref<2x4xf32>) {transpose_rhs}
  linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %b : memref<2x4xf32>, memref<4xf32>) outs(%out : memref<2x4xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %z = arith.constant 0.0 : f32
    %p = arith.cmpf ogt, %s, %z : f32
    %r = arith.select %p, %s, %z : f32
    linalg.yield %r : f32
  }
  return
}
