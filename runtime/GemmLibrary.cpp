#include "runtime/GemmLibrary.h"

#include "runtime/Error.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <cmath>
#include <cstdlib>
#include <string>

namespace marthe::rt {
namespace {

struct GemmChoice {
  bool oneDnn = false;
  double fault = 0;
  std::string error; // a value the runtime does not know
};

GemmChoice readEnvironment() {
  GemmChoice choice;
  const char *library = std::getenv("MARTHE_CPU_GEMM");
  std::string name = library ? library : "openblas";
  choice.oneDnn = name == "onednn";
  if (name != "openblas" && name != "onednn")
    choice.error = "MARTHE_CPU_GEMM=" + name + ": expected openblas or onednn";
  if (const char *fault = std::getenv("MARTHE_CPU_GEMM_FAULT")) {
    char *end = nullptr;
    choice.fault = std::strtod(fault, &end);
    if (*fault == '\0' || *end != '\0' || !std::isfinite(choice.fault))
      choice.error = std::string("MARTHE_CPU_GEMM_FAULT=") + fault + ": expected a number";
  }
  return choice;
}

const GemmChoice &gemmChoice() {
  static const GemmChoice choice = readEnvironment();
  return choice;
}

template <typename T>
void plainGemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const T *a,
               int64_t lda, const T *b, int64_t ldb, T *c) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T sum = 0;
      for (int64_t p = 0; p < k; ++p)
        sum += (transposeA ? a[p * lda + i] : a[i * lda + p]) *
               (transposeB ? b[j * ldb + p] : b[p * ldb + j]);
      c[i * n + j] = sum;
    }
}

template <typename T> void injectFault(T *c, int64_t count) {
  double fault = gemmChoice().fault;
  if (fault != 0)
    for (int64_t i = 0; i < count; ++i)
      c[i] = T(c[i] * (1 + fault));
}

CBLAS_TRANSPOSE blasTranspose(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }

} // namespace

void checkGemmEnvironment() {
  if (!gemmChoice().error.empty())
    throw Error(gemmChoice().error);
}

void cpuGemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const float *a,
             int64_t lda, const float *b, int64_t ldb, float *c) {
  if (gemmChoice().oneDnn)
    dnnl_sgemm(transposeA ? 'T' : 'N', transposeB ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb,
               0.0f, c, n);
  else
    cblas_sgemm(CblasRowMajor, blasTranspose(transposeA), blasTranspose(transposeB), m, n, k,
                1.0f, a, lda, b, ldb, 0.0f, c, n);
  injectFault(c, m * n);
}

void cpuGemm(bool transposeA, bool transposeB, int64_t m, int64_t n, int64_t k, const double *a,
             int64_t lda, const double *b, int64_t ldb, double *c) {
  if (gemmChoice().oneDnn)
    plainGemm(transposeA, transposeB, m, n, k, a, lda, b, ldb, c);
  else
    cblas_dgemm(CblasRowMajor, blasTranspose(transposeA), blasTranspose(transposeB), m, n, k,
                1.0, a, lda, b, ldb, 0.0, c, n);
  injectFault(c, m * n);
}

} // namespace marthe::rt
