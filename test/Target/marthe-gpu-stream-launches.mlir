// RUN: marthe-opt %s --marthe-gpu-stream-launches | FileCheck %s

// One stream per function, from the runtime (gpu.wait async lowers to
// mgpuStreamCreate); each launch waits for the one before; nothing waits at
// the end, so a step has no synchronization of its own.
// CHECK-LABEL: func.func @step
// CHECK-NEXT: %[[T0:.+]] = gpu.wait async
// CHECK: %[[T1:.+]] = gpu.launch_func async [%[[T0]]] @kernels::@a
// CHECK: %[[T2:.+]] = gpu.launch_func async [%[[T1]]] @kernels::@b
// CHECK-NOT: gpu.wait
// CHECK: return
module attributes {gpu.container_module} {
  func.func @step(%x: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    gpu.launch_func @kernels::@a blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @kernels::@b blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%x : memref<4xf32>)
    return
  }
  gpu.module @kernels {
    gpu.func @a(%x: memref<4xf32>) kernel {
      gpu.return
    }
    gpu.func @b(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
