// RUN: marthe-opt %s --marthe-lower-library-calls-to-runtime | FileCheck %s
// RUN: marthe-opt %s --marthe-lower-library-calls-to-runtime=runtime=cuda | FileCheck %s --check-prefix=CUDA
// RUN: not marthe-opt %s --marthe-lower-library-calls-to-runtime=runtime=tpu 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// The CUDA runtime's kernels (cuBLAS GEMMs, our cross-entropy kernels) take
// the same arguments, on device pointers.
// CUDA-DAG: func.func private @marthe_cuda_gemm_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, i32, i32)
// CUDA-DAG: func.func private @marthe_cuda_softmax_xent_f64(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64)
// CUDA-DAG: func.func private @marthe_cuda_softmax_xent_grad_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64)
// CUDA-DAG: func.func private @marthe_cuda_softmax_xent_hvp_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64)
// CUDA-NOT: marthe_rt_
// UNKNOWN: error: unknown runtime 'tpu' (expected cpu or cuda)

// Library calls become calls of the runtime's C kernels, declared once per
// name and element type: buffers as pointers, then sizes (i64), then flags (i32).
// CHECK-DAG: func.func private @marthe_rt_gemm_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, i32, i32)
// CHECK-DAG: func.func private @marthe_rt_softmax_xent_f64(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64)
// CHECK-DAG: func.func private @marthe_rt_softmax_xent_grad_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64)
// CHECK-DAG: func.func private @marthe_rt_softmax_xent_hvp_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64)

// CHECK-LABEL: func.func @gemms(
// CHECK-SAME: %[[X:[^:]+]]: memref<2x3xf32>, %[[W:[^:]+]]: memref<4x3xf32>, %[[Y:[^:]+]]: memref<2x4xf32>, %[[G:[^:]+]]: memref<3x4xf32>)
// CHECK-NOT: marthe.library
// CHECK: %[[XI:.+]] = memref.extract_aligned_pointer_as_index %[[X]] : memref<2x3xf32> -> index
// CHECK-NEXT: %[[XL:.+]] = arith.index_cast %[[XI]] : index to i64
// CHECK-NEXT: %[[XP:.+]] = llvm.inttoptr %[[XL]] : i64 to !llvm.ptr
// CHECK: %[[M:.+]] = arith.constant 2 : i64
// CHECK-NEXT: %[[N:.+]] = arith.constant 4 : i64
// CHECK-NEXT: %[[K:.+]] = arith.constant 3 : i64
// CHECK-NEXT: %[[NT:.+]] = arith.constant 0 : i32
// CHECK-NEXT: %[[T:.+]] = arith.constant 1 : i32
// CHECK-NEXT: call @marthe_rt_gemm_f32(%[[XP]], %{{.+}}, %{{.+}}, %[[M]], %[[N]], %[[K]], %[[NT]], %[[T]])
// x^T y: op(lhs) is [3, 2], so k = 2 and the lhs is transposed.
// CHECK: %[[K2:.+]] = arith.constant 2 : i64
// CHECK-NEXT: %[[T1:.+]] = arith.constant 1 : i32
// CHECK-NEXT: %[[T0:.+]] = arith.constant 0 : i32
// CHECK-NEXT: call @marthe_rt_gemm_f32(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[K2]], %[[T1]], %[[T0]])
func.func @gemms(%x: memref<2x3xf32>, %w: memref<4x3xf32>, %y: memref<2x4xf32>, %g: memref<3x4xf32>) {
  marthe.library.gemm ins(%x, %w : memref<2x3xf32>, memref<4x3xf32>) outs(%y : memref<2x4xf32>) {transpose_rhs}
  marthe.library.gemm ins(%x, %y : memref<2x3xf32>, memref<2x4xf32>) outs(%g : memref<3x4xf32>) {transpose_lhs}
  return
}

// CHECK-LABEL: func.func @cross_entropy(
// CHECK: %[[R:.+]] = arith.constant 2 : i64
// CHECK-NEXT: %[[C:.+]] = arith.constant 4 : i64
// CHECK-NEXT: call @marthe_rt_softmax_xent_grad_f32(%{{.+}}, %{{.+}}, %{{.+}}, %[[R]], %[[C]])
// CHECK: call @marthe_rt_softmax_xent_hvp_f32(
// CHECK: call @marthe_rt_softmax_xent_f64(
func.func @cross_entropy(%l: memref<2x4xf32>, %y: memref<2xi32>, %t: memref<2x4xf32>, %o: memref<2x4xf32>,
                         %l64: memref<2x4xf64>, %loss: memref<f64>) {
  marthe.library.softmax_xent_grad ins(%l, %y : memref<2x4xf32>, memref<2xi32>) outs(%o : memref<2x4xf32>)
  marthe.library.softmax_xent_hvp ins(%l, %t : memref<2x4xf32>, memref<2x4xf32>) outs(%o : memref<2x4xf32>)
  marthe.library.softmax_xent ins(%l64, %y : memref<2x4xf64>, memref<2xi32>) outs(%loss : memref<f64>)
  return
}
