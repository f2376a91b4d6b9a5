#pragma once

// The CUDA target's kernels for library-call ops
// (marthe-lower-library-calls-to-runtime{runtime=cuda}): the same signatures
// and semantics as the CPU's (runtime/Kernels.h), on device pointers, run on
// the runtime's stream. GEMMs are cuBLAS (float32, or TF32 tensor cores when
// MARTHE_CUDA_TF32=1; float64); the cross-entropy kernels are ours.

#include "runtime/KernelAbi.h"

extern "C" {
MARTHE_LIBRARY_KERNELS(marthe_cuda, float, f32)
MARTHE_LIBRARY_KERNELS(marthe_cuda, double, f64)
}
