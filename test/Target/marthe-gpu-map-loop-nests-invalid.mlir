// RUN: marthe-opt %s --marthe-gpu-map-loop-nests -verify-diagnostics -split-input-file

// Buffers are device memory: the host code may not touch them.
func.func @host_load(%x: memref<4xf32>, %y: memref<f32>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'memref.load' op reads or writes a buffer on the host, but buffers are device memory on the CUDA target}}
  %v = memref.load %x[%c0] : memref<4xf32>
  return
}

// -----

// Host code inside a region is checked too.
func.func @host_loop(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %v = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    // expected-error @+1 {{'memref.store' op reads or writes a buffer on the host, but buffers are device memory on the CUDA target}}
    memref.store %v, %x[%i] : memref<4xf32>
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>

// Every thread writes its own output element: a parallel loop missing from an
// output map would have threads race on one element.
func.func @race(%x: memref<4x8xf32>, %y: memref<8xf32>) {
  // expected-error @+1 {{'linalg.generic' op leaves a parallel loop out of an output: threads would race}}
  linalg.generic {indexing_maps = [#id, #col], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x8xf32>) outs(%y : memref<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  }
  return
}
