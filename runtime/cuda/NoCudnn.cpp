// The convolution kernels of a CUDA runtime built where cuDNN's headers are
// missing (cmake/MartheCuda.cmake says so when configuring): CUDA trainers of
// models without convolutions are unaffected; one that convolves stops at its
// first convolution with this error.

#include "runtime/cuda/CudaRuntime.h"
#include "runtime/cuda/WindowKernels.h"

namespace {
void refuse() {
  marthe::rt::cuda::recordError(
      "convolutions on the GPU need cuDNN, and this marthe was built without cuDNN's headers "
      "(cudnn.h): install cuDNN 9 beside the CUDA toolkit and rebuild marthe");
}
} // namespace

#define DEFINE_REFUSING_KERNEL(name, T, suffix)                                               \
  void marthe_cuda_##name##_##suffix(const T *, const T *, T *, MARTHE_WINDOW_KERNEL_SIZES,   \
                                     int64_t, int64_t) {                                      \
    refuse();                                                                                 \
  }
#define DEFINE_REFUSING_KERNELS(T, suffix)                                                    \
  DEFINE_REFUSING_KERNEL(conv2d, T, suffix)                                                   \
  DEFINE_REFUSING_KERNEL(conv2d_backward_data, T, suffix)                                     \
  DEFINE_REFUSING_KERNEL(conv2d_backward_filter, T, suffix)

extern "C" {
DEFINE_REFUSING_KERNELS(float, f32)
DEFINE_REFUSING_KERNELS(double, f64)
}
