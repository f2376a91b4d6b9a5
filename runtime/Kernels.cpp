#include "runtime/Kernels.h"

#include "runtime/GemmLibrary.h"

#include <algorithm>
#include <mutex>
#include <utility>
#include <cmath>
#include <vector>

namespace marthe::rt {

template <typename T>
void matmul(const T *a, const T *b, T *c, int64_t m, int64_t n, int64_t k,
            bool transposeA, bool transposeB) {
  cpuGemm(transposeA, transposeB, m, n, k, a, transposeA ? m : k, b, transposeB ? k : n, c);
}

/// softmax of one row into p; returns log(sum(exp(row - max))) + max.
template <typename T>
static T softmaxRow(const T *row, T *p, int64_t classes) {
  T max = *std::max_element(row, row + classes);
  T sum = 0;
  for (int64_t j = 0; j < classes; ++j)
    sum += p[j] = std::exp(row[j] - max);
  for (int64_t j = 0; j < classes; ++j)
    p[j] /= sum;
  return std::log(sum) + max;
}

template <typename T>
T softmaxXent(const T *logits, const int32_t *labels, int64_t rows, int64_t classes) {
  std::vector<T> p(classes);
  double total = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const T *row = logits + r * classes;
    total += softmaxRow(row, p.data(), classes) - row[labels[r]];
  }
  return T(total / rows);
}

template <typename T>
void softmaxXentGrad(const T *logits, const int32_t *labels, T *out, int64_t rows,
                     int64_t classes) {
  T scale = T(1) / T(rows);
  for (int64_t r = 0; r < rows; ++r) {
    T *p = out + r * classes;
    softmaxRow(logits + r * classes, p, classes);
    p[labels[r]] -= 1;
    for (int64_t j = 0; j < classes; ++j)
      p[j] *= scale;
  }
}

template <typename T>
void softmaxXentHvp(const T *logits, const T *tangent, T *out, int64_t rows,
                    int64_t classes) {
  T scale = T(1) / T(rows);
  for (int64_t r = 0; r < rows; ++r) {
    T *p = out + r * classes;
    const T *t = tangent + r * classes;
    softmaxRow(logits + r * classes, p, classes);
    T weighted = 0;
    for (int64_t j = 0; j < classes; ++j)
      weighted += p[j] * t[j];
    for (int64_t j = 0; j < classes; ++j)
      p[j] = p[j] * (t[j] - weighted) * scale;
  }
}

#define MARTHE_INSTANTIATE(T)                                                            \
  template void matmul<T>(const T *, const T *, T *, int64_t, int64_t, int64_t, bool,     \
                          bool);                                                         \
  template T softmaxXent<T>(const T *, const int32_t *, int64_t, int64_t);               \
  template void softmaxXentGrad<T>(const T *, const int32_t *, T *, int64_t, int64_t);   \
  template void softmaxXentHvp<T>(const T *, const T *, T *, int64_t, int64_t);

MARTHE_INSTANTIATE(float)
MARTHE_INSTANTIATE(double)

static GemmObserver gemmObserver = nullptr;

void setGemmObserver(GemmObserver observer) { gemmObserver = observer; }

template <typename T>
static void observedGemm(const T *a, const T *b, T *c, int64_t m, int64_t n, int64_t k,
                         int32_t transposeA, int32_t transposeB) {
  if (gemmObserver)
    gemmObserver(m, n, k, transposeA != 0, transposeB != 0, sizeof(T) == 8);
  matmul(a, b, c, m, n, k, transposeA != 0, transposeB != 0);
}

} // namespace marthe::rt

#define MARTHE_DEFINE_KERNELS(T, suffix)                                                   \
  void marthe_rt_gemm_##suffix(const T *a, const T *b, T *c, int64_t m, int64_t n,        \
                               int64_t k, int32_t transposeA, int32_t transposeB) {       \
    marthe::rt::observedGemm(a, b, c, m, n, k, transposeA, transposeB);                    \
  }                                                                                      \
  void marthe_rt_softmax_xent_##suffix(const T *logits, const int32_t *labels, T *loss,   \
                                       int64_t rows, int64_t classes) {                   \
    *loss = marthe::rt::softmaxXent(logits, labels, rows, classes);                       \
  }                                                                                      \
  void marthe_rt_softmax_xent_grad_##suffix(const T *logits, const int32_t *labels,       \
                                            T *out, int64_t rows, int64_t classes) {      \
    marthe::rt::softmaxXentGrad(logits, labels, out, rows, classes);                      \
  }                                                                                      \
  void marthe_rt_softmax_xent_hvp_##suffix(const T *logits, const T *tangent, T *out,     \
                                           int64_t rows, int64_t classes) {               \
    marthe::rt::softmaxXentHvp(logits, tangent, out, rows, classes);                      \
  }

static std::mutex kernelErrorMutex;
static std::optional<std::string> kernelError;

void marthe::rt::recordKernelError(std::string message) {
  std::lock_guard<std::mutex> lock(kernelErrorMutex);
  if (!kernelError)
    kernelError = std::move(message);
}

std::optional<std::string> marthe::rt::takeKernelError() {
  std::lock_guard<std::mutex> lock(kernelErrorMutex);
  return std::exchange(kernelError, std::nullopt);
}

extern "C" {
MARTHE_DEFINE_KERNELS(float, f32)
MARTHE_DEFINE_KERNELS(double, f64)
}
