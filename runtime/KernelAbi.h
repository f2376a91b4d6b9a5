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

// Window kernels: operands a and b, then the output, then the input
// [N, C, H, W], the output's [P, Q], the kernel [R, S], strides, pads (top,
// left, bottom, right) and dilations; convolutions add the output channels K
// and the groups.
#define MARTHE_WINDOW_KERNEL_SIZES                                                          \
  int64_t n, int64_t c, int64_t h, int64_t w, int64_t p, int64_t q, int64_t r, int64_t s,     \
      int64_t strideH, int64_t strideW, int64_t padTop, int64_t padLeft, int64_t padBottom,  \
      int64_t padRight, int64_t dilationH, int64_t dilationW
#define MARTHE_WINDOW_KERNEL(prefix, name, T, suffix, ...)                                   \
  void prefix##_##name##_##suffix(const T *a, const T *b, T *out, MARTHE_WINDOW_KERNEL_SIZES  \
                                  __VA_ARGS__);
#define MARTHE_WINDOW_KERNELS(prefix, T, suffix)                                             \
  MARTHE_WINDOW_KERNEL(prefix, conv2d, T, suffix, , int64_t k, int64_t groups)              \
  MARTHE_WINDOW_KERNEL(prefix, conv2d_backward_data, T, suffix, , int64_t k, int64_t groups) \
  MARTHE_WINDOW_KERNEL(prefix, conv2d_backward_filter, T, suffix, , int64_t k,              \
                       int64_t groups)                                                      \
  MARTHE_WINDOW_KERNEL(prefix, max_pool2d, T, suffix)                                       \
  MARTHE_WINDOW_KERNEL(prefix, max_unpool2d, T, suffix)
