// RUN: marthe-opt %s --marthe-cuda-lowering="format=isa" | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#scalar = affine_map<(d0, d1) -> ()>

// A planned step: a GEMM, a fused element-wise group, a fill and a dot
// product. The GEMM becomes a cuBLAS call of the runtime; the group one
// kernel, the dot product two (block sums, then their total added to the
// fill's value: the fill needs no kernel); the three kernels are in one
// gpu.binary, as PTX here (format=isa, for sm_80, the lowest default chip)
// with one .entry each, and launched in
// order on the stream mgpuStreamCreate gives.
// CHECK-LABEL: llvm.func @step(
// CHECK: %[[STREAM:.+]] = llvm.call @mgpuStreamCreate() : () -> !llvm.ptr
// CHECK: llvm.call @marthe_cuda_gemm_f32(
// CHECK: gpu.launch_func <%[[STREAM]] : !llvm.ptr> @marthe_kernels::@step_kernel blocks
// CHECK: gpu.launch_func <%[[STREAM]] : !llvm.ptr> @marthe_kernels::@step_kernel_0 blocks
// CHECK: gpu.launch_func <%[[STREAM]] : !llvm.ptr> @marthe_kernels::@step_kernel_1 blocks
// CHECK-NOT: gpu.launch_func
// CHECK-NOT: mgpuStreamSynchronize
// CHECK: llvm.return
// CHECK: gpu.binary @marthe_kernels
// CHECK-SAME: .target sm_80
// CHECK-SAME: .visible .entry step_kernel(
// CHECK-SAME: .visible .entry step_kernel_0(
// CHECK-SAME: .visible .entry step_kernel_1(
// CHECK-NOT: .entry
// CHECK: }
func.func @step(%x: memref<8x16xf32>, %w: memref<16x16xf32>,
                %y: memref<8x16xf32> {bufferize.result, marthe.role = "y"},
                %d: memref<f64> {bufferize.result, marthe.role = "d"},
                %arena: memref<512xi8> {marthe.role = "arena"})
    attributes {marthe.arena_bytes = 512 : i64,
                marthe.buffer_types = [memref<8x16xf32>, memref<16x16xf32>, memref<8x16xf32>, memref<f64>, memref<512xi8>]} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %zero64 = arith.constant 0.0 : f64
  %h = memref.view %arena[%c0][] : memref<512xi8> to memref<8x16xf32>
  marthe.library.gemm ins(%x, %w : memref<8x16xf32>, memref<16x16xf32>) outs(%h : memref<8x16xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%h : memref<8x16xf32>) outs(%y : memref<8x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %p = arith.cmpf ogt, %a, %zero : f32
    %r = arith.select %p, %a, %zero : f32
    linalg.yield %r : f32
  }
  linalg.fill ins(%zero64 : f64) outs(%d : memref<f64>)
  linalg.generic {indexing_maps = [#id, #id, #scalar], iterator_types = ["reduction", "reduction"]}
      ins(%y, %x : memref<8x16xf32>, memref<8x16xf32>) outs(%d : memref<f64>) {
  ^bb0(%a: f32, %b: f32, %s: f64):
    %ae = arith.extf %a : f32 to f64
    %be = arith.extf %b : f32 to f64
    %p = arith.mulf %ae, %be fastmath<reassoc> : f64
    %n = arith.addf %p, %s fastmath<reassoc> : f64
    linalg.yield %n : f64
  }
  return
}
