#pragma once

// The C functions a target's runtime defines for the library-call ops
// (marthe-lower-library-calls-to-runtime): `<prefix>_<kernel>_<f32|f64>`,
// taking the op's buffers (operands, then init) as pointers, then its sizes
// (i64), then its flags (i32). Tensors are dense and row-major; labels are
// int32 class indices.

#include <cstdint>

#define MARTHE_LIBRARY_KERNELS(prefix, T, suffix)                                          \
  void prefix##_gemm_##suffix(const T *a, const T *b, T *c, int64_t m, int64_t n,         \
                              int64_t k, int32_t transposeA, int32_t transposeB);         \
  void prefix##_softmax_xent_##suffix(const T *logits, const int32_t *labels, T *loss,    \
                                      int64_t rows, int64_t classes);                     \
  void prefix##_softmax_xent_grad_##suffix(const T *logits, const int32_t *labels, T *out, \
                                           int64_t rows, int64_t classes);                \
  void prefix##_softmax_xent_hvp_##suffix(const T *logits, const T *tangent, T *out,      \
                                          int64_t rows, int64_t classes);
