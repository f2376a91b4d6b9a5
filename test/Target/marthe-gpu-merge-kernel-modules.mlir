// RUN: marthe-opt %s --gpu-kernel-outlining --marthe-gpu-merge-kernel-modules | FileCheck %s

// Outlining gives each launch a module named after its kernel; merged, the
// kernels keep those unique names in one module that every launch uses.
// CHECK-LABEL: func.func @two
// CHECK: gpu.launch_func @marthe_kernels::@two_kernel blocks
// CHECK: gpu.launch_func @marthe_kernels::@two_kernel_0 blocks
// CHECK: gpu.module @marthe_kernels {
// CHECK-NEXT: gpu.func @two_kernel(
// CHECK: gpu.func @two_kernel_0(
// CHECK-NOT: gpu.module
func.func @two(%x: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    memref.store %one, %x[%tx] : memref<4xf32>
    gpu.terminator
  }
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %x[%tx] : memref<4xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %x[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}
