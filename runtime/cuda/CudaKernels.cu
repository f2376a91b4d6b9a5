#include "runtime/cuda/CudaKernels.h"
#include "runtime/cuda/CudaRuntime.h"


namespace marthe::rt::cuda {
namespace {

constexpr int kLossThreads = 256;
constexpr int kRowThreads = 128;

/// softmax of one row into p (may be null); returns log(sum(exp(row - max))) + max.
template <typename T>
__device__ T softmaxRow(const T *row, T *p, int64_t classes) {
  T max = row[0];
  for (int64_t j = 1; j < classes; ++j)
    max = row[j] > max ? row[j] : max;
  T sum = 0;
  for (int64_t j = 0; j < classes; ++j) {
    T e = exp(row[j] - max);
    sum += e;
    if (p)
      p[j] = e;
  }
  if (p)
    for (int64_t j = 0; j < classes; ++j)
      p[j] /= sum;
  return log(sum) + max;
}

/// One block: each thread sums the losses of rows t, t + blockDim, ... in
/// double; a tree in shared memory adds the threads' sums in a fixed order.
template <typename T>
__global__ void softmaxXent(const T *logits, const int32_t *labels, T *loss, int64_t rows,
                            int64_t classes) {
  __shared__ double partial[kLossThreads];
  double sum = 0;
  for (int64_t r = threadIdx.x; r < rows; r += blockDim.x) {
    const T *row = logits + r * classes;
    sum += double(softmaxRow<T>(row, nullptr, classes) - row[labels[r]]);
  }
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int width = blockDim.x / 2; width > 0; width /= 2) {
    if (threadIdx.x < width)
      partial[threadIdx.x] += partial[threadIdx.x + width];
    __syncthreads();
  }
  if (threadIdx.x == 0)
    *loss = T(partial[0] / double(rows));
}

/// Row r = the thread's of out = softmax of row r of the logits; r is -1 for
/// a thread past the last row.
template <typename T>
__device__ int64_t softmaxOfThreadRow(const T *logits, T *out, int64_t rows, int64_t classes) {
  int64_t r = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (r >= rows)
    return -1;
  softmaxRow<T>(logits + r * classes, out + r * classes, classes);
  return r;
}

template <typename T>
__global__ void softmaxXentGrad(const T *logits, const int32_t *labels, T *out, int64_t rows,
                                int64_t classes) {
  int64_t r = softmaxOfThreadRow(logits, out, rows, classes);
  if (r < 0)
    return;
  T scale = T(1) / T(rows), *p = out + r * classes;
  p[labels[r]] -= 1;
  for (int64_t j = 0; j < classes; ++j)
    p[j] *= scale;
}

template <typename T>
__global__ void softmaxXentHvp(const T *logits, const T *tangent, T *out, int64_t rows,
                               int64_t classes) {
  int64_t r = softmaxOfThreadRow(logits, out, rows, classes);
  if (r < 0)
    return;
  T scale = T(1) / T(rows), *p = out + r * classes;
  const T *t = tangent + r * classes;
  T weighted = 0;
  for (int64_t j = 0; j < classes; ++j)
    weighted += p[j] * t[j];
  for (int64_t j = 0; j < classes; ++j)
    p[j] = p[j] * (t[j] - weighted) * scale;
}

__global__ void gatherRowsKernel(uint32_t *to, const uint32_t *from, const int32_t *indices,
                                 int64_t count, int64_t rowWords) {
  int64_t word = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (word >= count * rowWords)
    return;
  int64_t row = word / rowWords, column = word % rowWords;
  to[word] = from[int64_t(indices[row]) * rowWords + column];
}

unsigned rowBlocks(int64_t rows) { return unsigned((rows + kRowThreads - 1) / kRowThreads); }

/// Row-major C[m,n] = op(A) op(B) as the column-major C^T = op(B)^T op(A)^T.
template <typename T, typename Gemm>
void gemm(Gemm call, const char *name, const T *a, const T *b, T *c, int64_t m, int64_t n,
          int64_t k, int32_t transposeA, int32_t transposeB) {
  if (hasError())
    return;
  const T one = 1, zero = 0;
  cublasOperation_t opA = transposeA ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasOperation_t opB = transposeB ? CUBLAS_OP_T : CUBLAS_OP_N;
  std::string error = describe(call(blas(), opB, opA, int(n), int(m), int(k), &one, b,
                                    int(transposeB ? k : n), a, int(transposeA ? m : k), &zero,
                                    c, int(n)),
                               name);
  if (!error.empty())
    recordError(error);
  else
    checkCompleted(name);
}

} // namespace

cudaError_t gatherRows(cudaStream_t stream, void *to, const void *from, const int32_t *indices,
                       int64_t count, int64_t rowWords) {
  int64_t words = count * rowWords;
  if (words == 0)
    return cudaSuccess;
  gatherRowsKernel<<<unsigned((words + 255) / 256), 256, 0, stream>>>(
      static_cast<uint32_t *>(to), static_cast<const uint32_t *>(from), indices, count,
      rowWords);
  return cudaGetLastError();
}

cudaError_t probeKernelImage() {
  cudaFuncAttributes attributes;
  return cudaFuncGetAttributes(&attributes, gatherRowsKernel);
}

} // namespace marthe::rt::cuda

using namespace marthe::rt::cuda;

#define MARTHE_DEFINE_CUDA_KERNELS(T, suffix)                                              \
  void marthe_cuda_softmax_xent_##suffix(const T *logits, const int32_t *labels, T *loss, \
                                         int64_t rows, int64_t classes) {                 \
    if (hasError())                                                                      \
      return;                                                                            \
    softmaxXent<T><<<1, kLossThreads, 0, stream()>>>(logits, labels, loss, rows, classes);  \
    checkLaunch("softmax_xent_" #suffix);                                                \
  }                                                                                      \
  void marthe_cuda_softmax_xent_grad_##suffix(const T *logits, const int32_t *labels,     \
                                              T *out, int64_t rows, int64_t classes) {    \
    if (hasError())                                                                      \
      return;                                                                            \
    softmaxXentGrad<T><<<rowBlocks(rows), kRowThreads, 0, stream()>>>(logits, labels, out,  \
                                                                      rows, classes);    \
    checkLaunch("softmax_xent_grad_" #suffix);                                           \
  }                                                                                      \
  void marthe_cuda_softmax_xent_hvp_##suffix(const T *logits, const T *tangent, T *out,   \
                                             int64_t rows, int64_t classes) {             \
    if (hasError())                                                                      \
      return;                                                                            \
    softmaxXentHvp<T><<<rowBlocks(rows), kRowThreads, 0, stream()>>>(logits, tangent, out,  \
                                                                     rows, classes);     \
    checkLaunch("softmax_xent_hvp_" #suffix);                                            \
  }

extern "C" {
MARTHE_DEFINE_CUDA_KERNELS(float, f32)
MARTHE_DEFINE_CUDA_KERNELS(double, f64)

void marthe_cuda_gemm_f32(const float *a, const float *b, float *c, int64_t m, int64_t n,
                          int64_t k, int32_t transposeA, int32_t transposeB) {
  gemm<float>(cublasSgemm, "cublasSgemm", a, b, c, m, n, k, transposeA, transposeB);
}

void marthe_cuda_gemm_f64(const double *a, const double *b, double *c, int64_t m, int64_t n,
                          int64_t k, int32_t transposeA, int32_t transposeB) {
  gemm<double>(cublasDgemm, "cublasDgemm", a, b, c, m, n, k, transposeA, transposeB);
}
}
