#pragma once

// Kernels that compiled code calls for its library-call ops
// (marthe-lower-library-calls-to-runtime). Tensors are dense and row-major; labels
// are int32 class indices. The element-wise work, the reductions and the
// schedule update are compiled loop nests, not kernels.

#include "runtime/KernelAbi.h"

#include <cstdint>
#include <optional>
#include <string>

namespace marthe::rt {

/// C[m,n] = op(A) op(B) with op(A) [m,k] and op(B) [k,n] (BLAS gemm).
template <typename T>
void matmul(const T *a, const T *b, T *c, int64_t m, int64_t n, int64_t k,
            bool transposeA, bool transposeB);

/// Mean over the rows of -log softmax(logits)[label].
template <typename T>
T softmaxXent(const T *logits, const int32_t *labels, int64_t rows, int64_t classes);

/// (softmax(logits) - onehot(labels)) / rows
template <typename T>
void softmaxXentGrad(const T *logits, const int32_t *labels, T *out, int64_t rows,
                     int64_t classes);

/// p * (t - rowsum(p * t)) / rows with p = softmax(logits)
template <typename T>
void softmaxXentHvp(const T *logits, const T *tangent, T *out, int64_t rows,
                    int64_t classes);

/// Sees every GEMM that compiled code runs (shapes and transposes), before it
/// runs; for the benchmark, which times the same GEMMs alone. Null by default.
using GemmObserver = void (*)(int64_t m, int64_t n, int64_t k, bool transposeA,
                              bool transposeB, bool isDouble);
void setGemmObserver(GemmObserver observer);

/// A kernel called from compiled code cannot throw through it: it records its
/// failure here (the first one is kept) and the caller of the compiled
/// function takes it after the call.
void recordKernelError(std::string message);
std::optional<std::string> takeKernelError();

} // namespace marthe::rt

// The C entry points (runtime/KernelAbi.h).
extern "C" {
MARTHE_LIBRARY_KERNELS(marthe_rt, float, f32)
MARTHE_LIBRARY_KERNELS(marthe_rt, double, f64)
MARTHE_WINDOW_KERNELS(marthe_rt, float, f32)
MARTHE_WINDOW_KERNELS(marthe_rt, double, f64)
}
