// RUN: marthe-opt %s --marthe-gpu-map-loop-nests -split-input-file | FileCheck %s

#rows = affine_map<(d0, d1) -> (d0, d1)>
#cols = affine_map<(d0, d1) -> (d1)>

// A bias gradient sums over the batch (loop 0 reduces, loop 1 is parallel):
// the parallel loop moves outermost, so 500 columns make 2 blocks of 256
// threads (the last 12 idle), each thread summing its column's 100 rows in
// a register: the fill before it becomes the sum's initial value (no fill
// kernel), and the column is stored once.
// CHECK-LABEL: func.func @sum_to(
// CHECK-NOT: linalg.fill
// CHECK: %[[BLOCKS:.+]] = arith.constant 2 : index
// CHECK: %[[THREADS:.+]] = arith.constant 256 : index
// CHECK: gpu.launch blocks(%[[BX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[BLOCKS]], %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[THREADS]],
// CHECK: %[[START:.+]] = arith.muli %[[BX]], %{{.+}} : index
// CHECK: %[[G:.+]] = arith.addi %[[START]], %[[TX]] : index
// CHECK: %[[IN:.+]] = arith.cmpi ult, %[[G]], %{{.+}} : index
// CHECK: scf.if %[[IN]] {
// CHECK-NOT: memref.load %arg1
// CHECK: %[[SUM:.+]] = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[ZERO:.+]]) -> (f32) {
// CHECK: %[[X:.+]] = memref.load %arg0
// CHECK: %[[NEXT:.+]] = arith.addf %[[X]], %[[ACC]] : f32
// CHECK: scf.yield %[[NEXT]] : f32
// CHECK: memref.store %[[SUM]], %arg1[%{{.+}}] : memref<500xf32>
// CHECK: gpu.terminator
// CHECK-NOT: gpu.launch
// CHECK: return
func.func @sum_to(%g: memref<100x500xf32>, %b: memref<500xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%b : memref<500xf32>)
  linalg.generic {indexing_maps = [#rows, #cols], iterator_types = ["reduction", "parallel"]}
      ins(%g : memref<100x500xf32>) outs(%b : memref<500xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#nchw = affine_map<(n, c, h, w) -> (n, c, h, w)>
#channel = affine_map<(n, c, h, w) -> (c)>

// A per-channel sum of 4 x 28 x 28 = 3136 terms (>= block-sum-minimum) for
// 8 channels: one block per channel. Its 256 threads take every 256th term
// (batch, row, column from the term's linear index, the channel from the
// block), the block adds their shares, and thread 0 adds the block's sum to
// the output's initial value (here the output's own, the body reads none
// of a fill) and stores it.
// CHECK-LABEL: func.func @channel_sums(
// CHECK: %[[CHANNELS:.+]] = arith.constant 8 : index
// CHECK: %[[THREADS:.+]] = arith.constant 256 : index
// CHECK: gpu.launch blocks(%[[BX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[CHANNELS]], %{{.+}} = %{{.+}}, %{{.+}} = %{{.+}}) threads(%[[TX:.+]], %{{.+}}, %{{.+}}) in (%{{.+}} = %[[THREADS]],
// CHECK: %[[TERMS:.+]] = arith.constant 3136 : index
// CHECK: %[[STRIDE:.+]] = arith.constant 256 : index
// CHECK: %[[SHARE:.+]] = scf.for %[[T:.+]] = %[[TX]] to %[[TERMS]] step %[[STRIDE]] iter_args(%[[ACC:.+]] = %{{.+}}) -> (f32) {
// CHECK: affine.apply #{{.+}}(%[[BX]], %{{.+}}, %{{.+}}, %{{.+}})
// CHECK: memref.load %arg0[
// CHECK: arith.mulf
// CHECK: %[[NEXT:.+]] = arith.addf %{{.+}}, %[[ACC]] : f32
// CHECK: scf.yield %[[NEXT]] : f32
// CHECK: %[[SUM:.+]] = gpu.all_reduce add %[[SHARE]] uniform {
// CHECK: arith.cmpi eq, %[[TX]], %{{.+}} : index
// CHECK: scf.if
// CHECK: %[[AT:.+]] = affine.apply #{{.+}}(%[[BX]], %{{.+}}, %{{.+}}, %{{.+}})
// CHECK: %[[OLD:.+]] = memref.load %arg1[%[[AT]]]
// CHECK: %[[TOTAL:.+]] = arith.addf %[[OLD]], %[[SUM]] : f32
// CHECK: memref.store %[[TOTAL]], %arg1[%{{.+}}] : memref<8xf32>
// CHECK-NOT: gpu.launch
// CHECK: return
func.func @channel_sums(%x: memref<4x8x28x28xf32>, %sumsq: memref<8xf32>) {
  linalg.generic {indexing_maps = [#nchw, #channel],
                  iterator_types = ["reduction", "parallel", "reduction", "reduction"]}
      ins(%x : memref<4x8x28x28xf32>) outs(%sumsq : memref<8xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %sq = arith.mulf %v, %v : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// An element-wise group over 4x64 elements fills exactly one block: no guard.
// The row and column come from the thread's linear index; the output, which
// the body does not read, is only stored.
// CHECK-LABEL: func.func @elementwise(
// CHECK: gpu.launch
// CHECK-NOT: scf.if
// CHECK-NOT: memref.load %arg1
// CHECK: arith.remui %{{.+}}, %{{.+}} : index
// CHECK: arith.divui
// CHECK: math.exp
// CHECK: gpu.terminator
func.func @elementwise(%x: memref<4x64xf32>, %y: memref<4x64xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x64xf32>) outs(%y : memref<4x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// A scalar update (the schedule), a scalar fill and a copy: the first two
// run in one thread of one block, the copy in one thread per element.
// CHECK-LABEL: func.func @scalars(
// CHECK: gpu.launch blocks(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[ONE:[^,]+]], {{.+}} threads(%{{.+}}, %{{.+}}, %{{.+}}) in (%{{.+}} = %[[ONE]],
// CHECK: arith.mulf
// CHECK: gpu.launch
// CHECK: memref.store %{{.+}}, %arg2[] : memref<f32>
// CHECK: gpu.launch
// CHECK: memref.load %arg3
// CHECK: memref.store %{{.+}}, %arg4
// CHECK-NOT: memref.copy
func.func @scalars(%eta: memref<f32>, %out: memref<f32>, %z: memref<f32>, %a: memref<8xf32>, %b: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []}
      ins(%eta : memref<f32>) outs(%out : memref<f32>) {
  ^bb0(%e: f32, %o: f32):
    %d = arith.mulf %e, %e : f32
    linalg.yield %d : f32
  }
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%z : memref<f32>)
  memref.copy %a, %b : memref<8xf32> to memref<8xf32>
  return
}
