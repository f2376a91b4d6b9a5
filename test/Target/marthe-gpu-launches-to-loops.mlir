// RUN: marthe-opt %s --marthe-gpu-launches-to-loops -split-input-file -verify-diagnostics | FileCheck %s

// A launch of 2 blocks of 4 threads runs its body for block 0..1, thread
// 0..3, with the ids and sizes of each.
// CHECK-LABEL: func.func @scale(
// CHECK-NOT: gpu.launch
// CHECK: scf.for %[[B:.+]] = %{{.+}} to %[[C2:.+]] step
// CHECK: scf.for %[[T:.+]] = %{{.+}} to %[[C4:.+]] step
// CHECK: %[[S:.+]] = arith.muli %[[B]], %[[C4]] : index
// CHECK: %[[I:.+]] = arith.addi %[[S]], %[[T]] : index
// CHECK: memref.load %arg0[%[[I]]]
// CHECK: memref.store %{{.+}}, %arg0[%[[I]]]
func.func @scale(%x: memref<8xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %start = arith.muli %bx, %sx : index
    %i = arith.addi %start, %tx : index
    %v = memref.load %x[%i] : memref<8xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %x[%i] : memref<8xf32>
    gpu.terminator
  }
  return
}

// -----

// A block sum takes a pass over the threads that adds their terms, then the
// body runs again with the sum known.
// CHECK-LABEL: func.func @sum(
// CHECK-NOT: gpu.
// CHECK: %[[TOTAL:.+]] = memref.alloca() : memref<f32>
// CHECK: scf.for %[[B:.+]] = %{{.+}} to %{{.+}} step
// CHECK:   memref.store %{{.+}}, %[[TOTAL]][]
// CHECK:   scf.for %[[T:.+]] = %{{.+}} to %[[C4:.+]] step
// CHECK:     %[[V:.+]] = memref.load %arg0[%[[T]]]
// CHECK:     %[[OLD:.+]] = memref.load %[[TOTAL]][]
// CHECK:     %[[NEW:.+]] = arith.addf %[[OLD]], %[[V]] : f32
// CHECK:     memref.store %[[NEW]], %[[TOTAL]][]
// CHECK-NOT: memref.store
// CHECK:   }
// CHECK:   scf.for %[[T2:.+]] = %{{.+}} to %[[C4]] step
// CHECK:     %[[S:.+]] = memref.load %[[TOTAL]][]
// CHECK:     scf.if
// CHECK:       memref.store %[[S]], %arg1[]
func.func @sum(%x: memref<4xf32>, %y: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %x[%tx] : memref<4xf32>
    %s = gpu.all_reduce add %v uniform {} : (f32) -> (f32)
    %first = arith.cmpi eq, %tx, %c0 : index
    scf.if %first {
      memref.store %s, %y[] : memref<f32>
    }
    gpu.terminator
  }
  return
}

// -----

// Sums over other operations and barriers are not emulated.
func.func @max(%x: memref<4xf32>, %y: memref<f32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error @+1 {{'gpu.launch' op has threads that communicate other than by block sums; they cannot run one by one}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %x[%tx] : memref<4xf32>
    %s = gpu.all_reduce maximumf %v uniform {} : (f32) -> (f32)
    memref.store %s, %y[] : memref<f32>
    gpu.terminator
  }
  return
}

// -----

// Memory written before a sum would be written once per pass.
func.func @write_first(%x: memref<4xf32>, %y: memref<f32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = memref.load %x[%tx] : memref<4xf32>
    %w = arith.addf %v, %v : f32
    // expected-error @+1 {{'memref.store' op writes memory before a block sum; the launch cannot run one thread at a time}}
    memref.store %w, %x[%tx] : memref<4xf32>
    %s = gpu.all_reduce add %v uniform {} : (f32) -> (f32)
    memref.store %s, %y[] : memref<f32>
    gpu.terminator
  }
  return
}
