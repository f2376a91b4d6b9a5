#pragma once

// The index arithmetic of the window kernels, compiled for the CPU
// (runtime/WindowKernels.cpp) and for the GPU (runtime/cuda/WindowKernels.cu):
// both targets select the same maximum in every window and add the same terms
// in the same order, so the CPU's tests (KernelsTest) cover the GPU's
// arithmetic too.

#include <cstdint>

#if defined(__CUDACC__)
#define MARTHE_HOST_DEVICE __host__ __device__
#else
#define MARTHE_HOST_DEVICE
#endif

namespace marthe::rt {

/// A 2-D window over planes [H, W] giving [P, Q]: the sizes of
/// MARTHE_WINDOW_KERNEL_SIZES (runtime/KernelAbi.h).
struct WindowShape {
  int64_t n, c, h, w, p, q, r, s, strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH,
      dilationW;
  MARTHE_HOST_DEVICE int64_t planes() const { return n * c; }
  MARTHE_HOST_DEVICE int64_t inputSize() const { return n * c * h * w; }
};

/// A convolution adds the output channels K and the groups; its filter is
/// [K, C / groups, R, S].
struct ConvShape : WindowShape {
  int64_t k, groups;
  MARTHE_HOST_DEVICE int64_t filterSize() const { return k * (c / groups) * r * s; }
  MARTHE_HOST_DEVICE int64_t outputSize() const { return n * k * p * q; }
};

/// Calls f(r, s, y, x) for the taps (r, s) of the window at output (p, q)
/// that fall inside the input, at input row y and column x, in row-major
/// tap order.
template <typename F>
MARTHE_HOST_DEVICE void forEachTapInside(const WindowShape &g, int64_t p, int64_t q, F f) {
  for (int64_t r = 0; r < g.r; ++r) {
    int64_t y = p * g.strideH - g.padTop + r * g.dilationH;
    if (y < 0 || y >= g.h)
      continue;
    for (int64_t s = 0; s < g.s; ++s) {
      int64_t x = q * g.strideW - g.padLeft + s * g.dilationW;
      if (x >= 0 && x < g.w)
        f(r, s, y, x);
    }
  }
}

template <typename T> MARTHE_HOST_DEVICE bool isNan(T value) { return value != value; }

/// The position in its plane (y * W + x) of the largest key of window
/// (p, q): the first of equals, the first NaN if there is one (divergence
/// must reach the loss); -1 when the window lies in the padding.
template <typename T>
MARTHE_HOST_DEVICE int64_t windowArgmax(const WindowShape &g, const T *plane, int64_t p,
                                        int64_t q) {
  int64_t best = -1;
  forEachTapInside(g, p, q, [&](int64_t, int64_t, int64_t y, int64_t x) {
    T key = plane[y * g.w + x];
    if (best < 0 || (!isNan(plane[best]) && (isNan(key) || key > plane[best])))
      best = y * g.w + x;
  });
  return best;
}

/// The outputs [first, last] along one axis whose windows may hold input
/// coordinate `at` (the taps with at = o * stride - pad + t * dilation).
struct OutputRange {
  int64_t first, last;
};
MARTHE_HOST_DEVICE inline OutputRange outputsCovering(int64_t at, int64_t pad, int64_t taps,
                                                      int64_t stride, int64_t dilation,
                                                      int64_t outputs) {
  int64_t lowest = at + pad - (taps - 1) * dilation; // o * stride >= lowest
  int64_t first = lowest <= 0 ? 0 : (lowest + stride - 1) / stride;
  int64_t last = (at + pad) / stride;
  return {first, last < outputs - 1 ? last : outputs - 1};
}

/// Max pooling's adjoint at input (y, x) of one plane: the sum of the
/// values of the windows whose maximum it is, in (p, q) order, which is the
/// order in which a scatter over the windows would add them.
template <typename T>
MARTHE_HOST_DEVICE T unpoolAt(const WindowShape &g, const T *keys, const T *values, int64_t y,
                              int64_t x) {
  OutputRange rows = outputsCovering(y, g.padTop, g.r, g.strideH, g.dilationH, g.p);
  OutputRange columns = outputsCovering(x, g.padLeft, g.s, g.strideW, g.dilationW, g.q);
  T sum = T(0);
  for (int64_t p = rows.first; p <= rows.last; ++p)
    for (int64_t q = columns.first; q <= columns.last; ++q)
      if (windowArgmax(g, keys, p, q) == y * g.w + x)
        sum += values[p * g.q + q];
  return sum;
}

} // namespace marthe::rt
