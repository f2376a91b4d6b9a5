// RUN: marthe-opt %s --marthe-lower-library-calls-to-runtime | FileCheck %s
// RUN: marthe-opt %s --marthe-lower-library-calls-to-runtime=runtime=cuda | FileCheck %s --check-prefix=CUDA

// Window kernels take the input [N, C, H, W], the output's [P, Q], the kernel,
// strides, pads (top, left, bottom, right) and dilations; convolutions then
// the output channels and the groups (runtime/KernelAbi.h).
// CHECK-DAG: func.func private @marthe_rt_conv2d_f32(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK-DAG: func.func private @marthe_rt_max_pool2d_f64(!llvm.ptr, !llvm.ptr, !llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)

// CHECK-LABEL: func.func @conv(
// CHECK-NOT: marthe.library
// CHECK: %[[N:.+]] = arith.constant 2 : i64
// CHECK-NEXT: %[[C:.+]] = arith.constant 4 : i64
// CHECK-NEXT: %[[H:.+]] = arith.constant 5 : i64
// CHECK-NEXT: %[[W:.+]] = arith.constant 5 : i64
// CHECK-NEXT: %[[P:.+]] = arith.constant 3 : i64
// CHECK-NEXT: %[[Q:.+]] = arith.constant 3 : i64
// CHECK-NEXT: %[[R:.+]] = arith.constant 3 : i64
// CHECK-NEXT: %[[S:.+]] = arith.constant 3 : i64
// CHECK-NEXT: %[[SH:.+]] = arith.constant 2 : i64
// CHECK-NEXT: %[[SW:.+]] = arith.constant 2 : i64
// CHECK-NEXT: %[[PT:.+]] = arith.constant 1 : i64
// CHECK-NEXT: %[[PL:.+]] = arith.constant 1 : i64
// CHECK-NEXT: %[[PB:.+]] = arith.constant 1 : i64
// CHECK-NEXT: %[[PR:.+]] = arith.constant 1 : i64
// CHECK-NEXT: %[[DH:.+]] = arith.constant 1 : i64
// CHECK-NEXT: %[[DW:.+]] = arith.constant 1 : i64
// CHECK-NEXT: %[[K:.+]] = arith.constant 6 : i64
// CHECK-NEXT: %[[G:.+]] = arith.constant 2 : i64
// CHECK-NEXT: call @marthe_rt_conv2d_f32(%{{.+}}, %{{.+}}, %{{.+}}, %[[N]], %[[C]], %[[H]], %[[W]], %[[P]], %[[Q]], %[[R]], %[[S]], %[[SH]], %[[SW]], %[[PT]], %[[PL]], %[[PB]], %[[PR]], %[[DH]], %[[DW]], %[[K]], %[[G]])
// The backward ops pass the same geometry, the input's shape from their init
// or operand.
// CHECK: call @marthe_rt_conv2d_backward_data_f32(
// CHECK: call @marthe_rt_conv2d_backward_filter_f32(
// The CUDA runtime's kernels (cuDNN, runtime/cuda/Cudnn.cpp) take the same
// arguments, device pointers.
// CUDA-LABEL: func.func @conv(
// CUDA-NOT: marthe.library
// CUDA: call @marthe_cuda_conv2d_f32(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}})
// CUDA: call @marthe_cuda_conv2d_backward_data_f32(
// CUDA: call @marthe_cuda_conv2d_backward_filter_f32(
func.func @conv(%x: memref<2x4x5x5xf32>, %w: memref<6x2x3x3xf32>, %y: memref<2x6x3x3xf32>) {
  marthe.library.conv2d ins(%x, %w : memref<2x4x5x5xf32>, memref<6x2x3x3xf32>) outs(%y : memref<2x6x3x3xf32>) {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2 : i64}
  marthe.library.conv2d_backward_data ins(%y, %w : memref<2x6x3x3xf32>, memref<6x2x3x3xf32>) outs(%x : memref<2x4x5x5xf32>) {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2 : i64}
  marthe.library.conv2d_backward_filter ins(%x, %y : memref<2x4x5x5xf32>, memref<2x6x3x3xf32>) outs(%w : memref<6x2x3x3xf32>) {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2 : i64}
  return
}

// CHECK-LABEL: func.func @pool(
// CHECK: call @marthe_rt_max_pool2d_f64(
// CHECK: call @marthe_rt_max_unpool2d_f64(
// CUDA-LABEL: func.func @pool(
// CUDA: call @marthe_cuda_max_pool2d_f64(
// CUDA: call @marthe_cuda_max_unpool2d_f64(
func.func @pool(%x: memref<2x4x5x5xf64>, %p: memref<2x4x2x2xf64>) {
  marthe.library.max_pool2d ins(%x, %x : memref<2x4x5x5xf64>, memref<2x4x5x5xf64>) outs(%p : memref<2x4x2x2xf64>) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
  marthe.library.max_unpool2d ins(%x, %p : memref<2x4x5x5xf64>, memref<2x4x2x2xf64>) outs(%x : memref<2x4x5x5xf64>) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
  return
}
