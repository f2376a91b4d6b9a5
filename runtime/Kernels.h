#pragma once

// Kernels called by emitted code for the ops that are not element-wise.
// Tensors are dense and row-major; labels are int32 class indices.

#include <cstdint>

namespace marthe::rt {

/// C[m,n] = op(A) op(B) with op(A) [m,k] and op(B) [k,n] (BLAS gemm).
template <typename T>
void matmul(const T *a, const T *b, T *c, int64_t m, int64_t n, int64_t k,
            bool transposeA, bool transposeB);

/// out[j] = sum over r of in[r * n + j], for `rows` rows.
template <typename T>
void sumTo(const T *in, T *out, int64_t rows, int64_t n);

template <typename T>
T dot(const T *a, const T *b, int64_t n);

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

/// The MARTHE update of eta, beta, mu and c (DESIGN.md section 3).
template <typename T>
void scheduleUpdate(T eta, T beta, T mu, T c, T hgPrev, T hg, T g1, T alpha,
                    bool adaptiveMu, T *newEta, T *newBeta, T *newMu, T *newC);

} // namespace marthe::rt
