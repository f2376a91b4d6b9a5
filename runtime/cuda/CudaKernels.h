#pragma once

// The CUDA target's kernels for library-call ops
// (marthe-lower-library-calls-to-runtime{runtime=cuda}): the same signatures
// and semantics as the CPU's (runtime/Kernels.h), on device pointers, run on
// the runtime's stream. GEMMs are cuBLAS (float32, or TF32 tensor cores when
// MARTHE_CUDA_TF32=1; float64); the cross-entropy kernels are ours.

#include <cstdint>

#define MARTHE_DECLARE_CUDA_KERNELS(T, suffix)                                             \
  void marthe_cuda_gemm_##suffix(const T *a, const T *b, T *c, int64_t m, int64_t n,      \
                                 int64_t k, int32_t transposeA, int32_t transposeB);      \
  void marthe_cuda_softmax_xent_##suffix(const T *logits, const int32_t *labels, T *loss, \
                                         int64_t rows, int64_t classes);                  \
  void marthe_cuda_softmax_xent_grad_##suffix(const T *logits, const int32_t *labels,     \
                                              T *out, int64_t rows, int64_t classes);     \
  void marthe_cuda_softmax_xent_hvp_##suffix(const T *logits, const T *tangent, T *out,   \
                                             int64_t rows, int64_t classes);

extern "C" {
MARTHE_DECLARE_CUDA_KERNELS(float, f32)
MARTHE_DECLARE_CUDA_KERNELS(double, f64)
}
