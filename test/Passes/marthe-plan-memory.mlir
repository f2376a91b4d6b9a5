// RUN: marthe-opt %s --marthe-plan-memory -split-input-file | FileCheck %s

#id = affine_map<(d0) -> (d0)>

// Offsets in a 256-byte arena: %a [0, 64) and %b [64, 192) are alive together
// (a subview keeps %b alive); %a dies at the gemm that defines %c, whose
// output must not overlap its operands, so %c goes to 192; %d reuses 0 once
// %a and %b are dead, and %e reuses 64 while %d is alive. %r, only copied into
// the result buffer, is replaced by it; %e, copied through a view, is not.
// CHECK-LABEL: func.func @chain(
// CHECK-SAME: %[[X:[^:]+]]: memref<16xf32>, %[[OUT:[^:]+]]: memref<4x4xf32> {bufferize.result, marthe.role = "result"},
// CHECK-SAME: %[[ARENA:[^:]+]]: memref<256xi8> {marthe.role = "arena"})
// CHECK-SAME: attributes {marthe.arena_bytes = 256 : i64, marthe.buffer_types = [memref<16xf32>, memref<4x4xf32>, memref<256xi8>]}
// CHECK-NOT: memref.alloc
// CHECK: %[[O0:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.+]] = memref.view %[[ARENA]][%[[O0]]][] : memref<256xi8> to memref<4x4xf32>
// CHECK: %[[O64:.+]] = arith.constant 64 : index
// CHECK-NEXT: %[[B:.+]] = memref.view %[[ARENA]][%[[O64]]][] : memref<256xi8> to memref<32xf32>
// CHECK: %[[O192:.+]] = arith.constant 192 : index
// CHECK-NEXT: %[[C:.+]] = memref.view %[[ARENA]][%[[O192]]][] : memref<256xi8> to memref<4x4xf32>
// CHECK-NEXT: marthe.library.gemm ins(%[[A]], %[[A]] : memref<4x4xf32>, memref<4x4xf32>) outs(%[[C]] : memref<4x4xf32>)
// CHECK: %[[O0D:.+]] = arith.constant 0 : index
// CHECK-NEXT: %[[D:.+]] = memref.view %[[ARENA]][%[[O0D]]][] : memref<256xi8> to memref<16xf32>
// CHECK: %[[O64E:.+]] = arith.constant 64 : index
// CHECK-NEXT: %[[E:.+]] = memref.view %[[ARENA]][%[[O64E]]][] : memref<256xi8> to memref<16xf32>
// CHECK: %[[FE:.+]] = memref.expand_shape %[[E]]
// CHECK-NEXT: memref.copy %[[FE]], %[[OUT]]
// CHECK-NEXT: return
func.func @chain(%x: memref<16xf32>, %out: memref<4x4xf32> {bufferize.result, marthe.role = "result"}) {
  %a = memref.alloc() : memref<4x4xf32>
  %cst = arith.constant 0.0 : f32
  %b = memref.alloc() : memref<32xf32>
  %fa = memref.collapse_shape %a [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%fa : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    linalg.yield %i : f32
  }
  linalg.fill ins(%cst : f32) outs(%b : memref<32xf32>)
  %c = memref.alloc() : memref<4x4xf32>
  marthe.library.gemm ins(%a, %a : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>)
  %fb = memref.subview %b[0] [16] [1] : memref<32xf32> to memref<16xf32, strided<[1]>>
  %fc = memref.collapse_shape %c [[0, 1]] : memref<4x4xf32> into memref<16xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%fb : memref<16xf32, strided<[1]>>) outs(%fc : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    linalg.yield %i : f32
  }
  %d = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%fc : memref<16xf32>) outs(%d : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    linalg.yield %i : f32
  }
  %e = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%d : memref<16xf32>) outs(%e : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    linalg.yield %i : f32
  }
  %fe = memref.expand_shape %e [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  %r = memref.alloc() : memref<4x4xf32>
  memref.copy %fe, %r : memref<4x4xf32> to memref<4x4xf32>
  memref.copy %r, %out : memref<4x4xf32> to memref<4x4xf32>
  return
}

// -----

// %a is copied into %out and then written again: only its last copy (into
// %y) may become the result buffer, and the copy into %out stays before the
// second write.
// CHECK-LABEL: func.func @overwrite_after_copy(
// CHECK-SAME: %[[OUT:[^:]+]]: memref<16xf32> {bufferize.result}, %[[Y:[^:]+]]: memref<16xf32> {bufferize.result}, %{{[^:]+}}: memref<0xi8>
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%[[Y]] : memref<16xf32>)
// CHECK-NEXT: memref.copy %[[Y]], %[[OUT]]
// CHECK-NEXT: linalg.fill ins(%{{.+}} : f32) outs(%[[Y]] : memref<16xf32>)
// CHECK-NEXT: return
func.func @overwrite_after_copy(%out: memref<16xf32> {bufferize.result}, %y: memref<16xf32> {bufferize.result}) {
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  %a = memref.alloc() : memref<16xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<16xf32>)
  memref.copy %a, %out : memref<16xf32> to memref<16xf32>
  linalg.fill ins(%two : f32) outs(%a : memref<16xf32>)
  memref.copy %a, %y : memref<16xf32> to memref<16xf32>
  return
}

// A buffer stays alive through any value that may alias it (a select here),
// so %b, filled while %s is still to be read, gets its own bytes.
// CHECK-LABEL: func.func @select_alias(
// CHECK-SAME: memref<128xi8>
// CHECK: %[[O0:.+]] = arith.constant 0 : index
// CHECK: %[[O64:.+]] = arith.constant 64 : index
func.func @select_alias(%c: i1, %x: memref<16xf32>, %y: memref<16xf32> {bufferize.result}) {
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  %a = memref.alloc() : memref<16xf32>
  linalg.fill ins(%one : f32) outs(%a : memref<16xf32>)
  %s = arith.select %c, %a, %x : memref<16xf32>
  %b = memref.alloc() : memref<16xf32>
  linalg.fill ins(%two : f32) outs(%b : memref<16xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%s, %b : memref<16xf32>, memref<16xf32>) outs(%y : memref<16xf32>) {
  ^bb0(%i: f32, %j: f32, %o: f32):
    %r = arith.addf %i, %j : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Constant globals come out in name order, whatever order bufferization
// created them in (it varies from run to run).
// CHECK-LABEL: module
// CHECK: memref.global "private" constant @__constant_2xf32
// CHECK-NEXT: memref.global "private" constant @__constant_3xf32
// CHECK: func.func @uses_constants
memref.global "private" constant @__constant_3xf32 : memref<3xf32> = dense<1.0>
func.func @uses_constants(%out: memref<3xf32> {bufferize.result}) {
  %c = memref.get_global @__constant_3xf32 : memref<3xf32>
  memref.copy %c, %out : memref<3xf32> to memref<3xf32>
  return
}
memref.global "private" constant @__constant_2xf32 : memref<2xf32> = dense<2.0>
