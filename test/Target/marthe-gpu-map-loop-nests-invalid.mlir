// RUN: marthe-opt %s --marthe-gpu-map-loop-nests -verify-diagnostics -split-input-file

// Buffers are device memory: the host code may not touch them.
func.func @host_load(%x: memref<4xf32>, %y: memref<f32>) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'memref.load' op reads or writes a buffer on the host, but buffers are device memory on the CUDA target}}
  %v = memref.load %x[%c0] : memref<4xf32>
  return
}
