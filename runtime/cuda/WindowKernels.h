#pragma once

// The CUDA target's window kernels (runtime/KernelAbi.h): convolutions
// through cuDNN (runtime/cuda/Cudnn.cpp), max pooling as kernels of ours
// (runtime/cuda/WindowKernels.cu) on the index arithmetic the CPU runs
// (runtime/WindowIndexing.h).

#include "runtime/KernelAbi.h"
#include "runtime/WindowIndexing.h"

#include <cuda_runtime_api.h>

extern "C" {
MARTHE_WINDOW_KERNELS(marthe_cuda, float, f32)
MARTHE_WINDOW_KERNELS(marthe_cuda, double, f64)
}

namespace marthe::rt::cuda {

/// to = the planes [H, W] of `from` inside zeros, `top` rows above and
/// `left` columns before, in planes [paddedH, paddedW] (cuDNN pads evenly
/// only; an uneven padding is done here).
template <typename T>
cudaError_t padPlanes(cudaStream_t stream, const T *from, T *to, int64_t planes, int64_t h,
                      int64_t w, int64_t top, int64_t left, int64_t paddedH, int64_t paddedW);

/// The adjoint of padPlanes: to = the [H, W] window of `from` at (top, left).
template <typename T>
cudaError_t cropPlanes(cudaStream_t stream, const T *from, T *to, int64_t planes, int64_t h,
                       int64_t w, int64_t top, int64_t left, int64_t paddedH, int64_t paddedW);

} // namespace marthe::rt::cuda
