// RUN: marthe-opt %s --marthe-gpu-split-reductions="threads=256 max-blocks=64" -split-input-file | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#scalar = affine_map<(d0, d1) -> ()>

// Two dot products over 300x500 elements sharing an operand: 150000 / (256 * 8)
// rounds up to 74 blocks, capped at 64. Block partial sums go to scratch
// appended to the 128-byte arena (64 f64 = 512 bytes each), which grows to
// 128 + 512 + 512 bytes in the signature and in the plan's attributes.
// CHECK-LABEL: func.func @dots(
// CHECK-SAME: %[[ARENA:[^:]+]]: memref<1152xi8> {marthe.role = "arena"})
// CHECK-SAME: marthe.arena_bytes = 1152 : i64, marthe.buffer_types = [memref<300x500xf32>, memref<300x500xf32>, memref<f64>, memref<f64>, memref<1152xi8>]
// CHECK-NOT: linalg.generic
// CHECK: %[[P0:.+]] = memref.view %[[ARENA]][%{{.+}}][] : memref<1152xi8> to memref<64xf64>
// CHECK: %[[P1:.+]] = memref.view %[[ARENA]][%{{.+}}][] : memref<1152xi8> to memref<64xf64>
// Stage 1: 64 blocks of 256 threads, each thread striding by 64 * 256 over
// the elements with the generic's own body, then one sum per block.
// CHECK: gpu.launch blocks(%[[BX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[C64:.+]], %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in
// CHECK: %[[STRIDE:.+]] = arith.constant 16384 : index
// CHECK: %[[SUMS:.+]]:2 = scf.for %[[I:.+]] = %{{.+}} to %{{.+}} step %[[STRIDE]] iter_args
// CHECK: arith.remui %[[I]], %{{.+}} : index
// CHECK: arith.mulf {{.+}} fastmath<reassoc> : f64
// CHECK: gpu.all_reduce add %[[SUMS]]#0 uniform
// CHECK: gpu.all_reduce add %[[SUMS]]#1 uniform
// CHECK: scf.if
// CHECK: memref.store %{{.+}}, %[[P0]][%[[BX]]] : memref<64xf64>
// CHECK: memref.store %{{.+}}, %[[P1]][%[[BX]]] : memref<64xf64>
// Stage 2: one block adds the 64 partials to the outputs' initial values:
// d0's fill (folded: no fill remains), d1 as it was.
// CHECK-NOT: linalg.fill
// CHECK: gpu.launch blocks
// CHECK: scf.for
// CHECK: memref.load %[[P0]]
// CHECK: gpu.all_reduce add
// CHECK: %[[NEW:.+]] = arith.addf %[[FILLED:.+]], %{{.+}} : f64
// CHECK: memref.store %[[NEW]], %arg2[] : memref<f64>
// CHECK: %[[OLD:.+]] = memref.load %arg3[] : memref<f64>
// CHECK: %[[NEW1:.+]] = arith.addf %[[OLD]], %{{.+}} : f64
// CHECK: memref.store %[[NEW1]], %arg3[] : memref<f64>
// CHECK: return
func.func @dots(%a: memref<300x500xf32>, %b: memref<300x500xf32>,
                %d0: memref<f64> {bufferize.result, marthe.role = "d0"},
                %d1: memref<f64> {bufferize.result, marthe.role = "d1"},
                %arena: memref<128xi8> {marthe.role = "arena"})
    attributes {marthe.arena_bytes = 128 : i64,
                marthe.buffer_types = [memref<300x500xf32>, memref<300x500xf32>, memref<f64>, memref<f64>, memref<128xi8>]} {
  %one = arith.constant 1.0 : f64
  linalg.fill ins(%one : f64) outs(%d0 : memref<f64>)
  linalg.generic {indexing_maps = [#id, #id, #scalar, #scalar], iterator_types = ["reduction", "reduction"]}
      ins(%a, %b : memref<300x500xf32>, memref<300x500xf32>) outs(%d0, %d1 : memref<f64>, memref<f64>) {
  ^bb0(%x: f32, %y: f32, %s0: f64, %s1: f64):
    %xe = arith.extf %x : f32 to f64
    %ye = arith.extf %y : f32 to f64
    %p = arith.mulf %xe, %ye fastmath<reassoc> : f64
    %n0 = arith.addf %p, %s0 fastmath<reassoc> : f64
    %n1 = arith.addf %s1, %ye fastmath<reassoc> : f64
    linalg.yield %n0, %n1 : f64, f64
  }
  return
}

// -----

#v = affine_map<(d0) -> (d0)>
#s = affine_map<(d0) -> ()>

// A maximum is not an addf reduction: it is left for marthe-gpu-map-loop-nests,
// and the arena keeps its size.
// CHECK-LABEL: func.func @maximum(
// CHECK-SAME: memref<64xi8> {marthe.role = "arena"}
// CHECK: linalg.generic
// CHECK-NOT: gpu.launch
func.func @maximum(%a: memref<1000xf32>, %m: memref<f32> {bufferize.result, marthe.role = "m"},
                   %arena: memref<64xi8> {marthe.role = "arena"})
    attributes {marthe.arena_bytes = 64 : i64} {
  linalg.generic {indexing_maps = [#v, #s], iterator_types = ["reduction"]}
      ins(%a : memref<1000xf32>) outs(%m : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.maximumf %x, %acc : f32
    linalg.yield %r : f32
  }
  return
}
