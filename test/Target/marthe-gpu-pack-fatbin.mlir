// REQUIRES: cuda-target
// RUN: marthe-opt %s \
// RUN:   --gpu-module-to-binary="format=isa toolkit=%cuda_toolkit" \
// RUN:   --marthe-gpu-pack-fatbin="chips=sm_90,sm_80,sm_86 toolkit=%cuda_toolkit" \
// RUN:   | FileCheck %s
// RUN: not marthe-opt %s \
// RUN:   --gpu-module-to-binary="format=isa toolkit=%cuda_toolkit" \
// RUN:   --marthe-gpu-pack-fatbin="chips=sm_75 toolkit=%cuda_toolkit" \
// RUN:   2>&1 | FileCheck %s --check-prefix=LOW
// RUN: not marthe-opt %s \
// RUN:   --marthe-gpu-pack-fatbin="chips=sm_90,volta" 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not marthe-opt %s \
// RUN:   --gpu-module-to-binary="format=bin toolkit=%cuda_toolkit" \
// RUN:   --marthe-gpu-pack-fatbin="chips=sm_90 toolkit=%cuda_toolkit" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FORMAT

// The kernels' PTX (for sm_80, the lowest chip) becomes one fatbin object,
// its magic 0xBA55ED50 first, that keeps the target and its properties;
// test/Codegen/cuda-fatbin.test lists what it holds with cuobjdump.
// CHECK: gpu.binary @kernels [#gpu.object<#nvvm.target<chip = "sm_80">, properties = {O = 2 : i32}, "P\EDU\BA
// CHECK-NOT: assembly
// LOW: error: 'gpu.binary' op has PTX for sm_80, above the lowest chip sm_75: ptxas compiles PTX for its own target and newer ones only
// NAME: error: "volta" is not a GPU architecture sm_NN
// FORMAT: error: 'gpu.binary' op is not one NVVM assembly (PTX) object; build it with gpu-module-to-binary{format=isa}
module attributes {gpu.container_module} {
  gpu.module @kernels [#nvvm.target<chip = "sm_80">] {
    llvm.func @scale(%data: !llvm.ptr, %factor: f32) attributes {gpu.kernel, nvvm.kernel} {
      %x = llvm.load %data : !llvm.ptr -> f32
      %y = llvm.fmul %x, %factor : f32
      llvm.store %y, %data : f32, !llvm.ptr
      llvm.return
    }
  }
}
