// Max pooling and the padding copies on the GPU: one thread per element,
// each computing what the CPU's loops compute for it (runtime/WindowIndexing.h).
// The adjoint gathers, per input element, the windows whose maximum it is,
// instead of scattering from the windows: no atomics, so the sums are
// bit-identical to the CPU's and from run to run.

#include "runtime/cuda/WindowKernels.h"

#include "runtime/cuda/CudaRuntime.h"

#include <string>

namespace marthe::rt::cuda {
namespace {

constexpr int kThreads = 256;

unsigned blocksFor(int64_t elements) {
  int64_t blocks = (elements + kThreads - 1) / kThreads;
  return unsigned(blocks < (int64_t(1) << 30) ? blocks : (int64_t(1) << 30));
}

#define FOR_EACH_ELEMENT(i, count)                                                           \
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (count);               \
       i += int64_t(gridDim.x) * blockDim.x)

template <typename T>
__global__ void maxPool(WindowShape g, const T *keys, const T *values, T *out) {
  FOR_EACH_ELEMENT(o, g.planes() * g.p * g.q) {
    int64_t plane = o / (g.p * g.q), p = o / g.q % g.p, q = o % g.q;
    int64_t best = windowArgmax(g, keys + plane * g.h * g.w, p, q);
    out[o] = best < 0 ? T(0) : values[plane * g.h * g.w + best];
  }
}

template <typename T>
__global__ void maxUnpool(WindowShape g, const T *keys, const T *values, T *out) {
  FOR_EACH_ELEMENT(i, g.inputSize()) {
    int64_t plane = i / (g.h * g.w), y = i / g.w % g.h, x = i % g.w;
    out[i] = unpoolAt(g, keys + plane * g.h * g.w, values + plane * g.p * g.q, y, x);
  }
}

template <typename T>
__global__ void pad(const T *from, T *to, int64_t planes, int64_t h, int64_t w, int64_t top,
                    int64_t left, int64_t paddedH, int64_t paddedW) {
  FOR_EACH_ELEMENT(i, planes * paddedH * paddedW) {
    int64_t plane = i / (paddedH * paddedW), y = i / paddedW % paddedH - top,
            x = i % paddedW - left;
    to[i] = y >= 0 && y < h && x >= 0 && x < w ? from[(plane * h + y) * w + x] : T(0);
  }
}

template <typename T>
__global__ void crop(const T *from, T *to, int64_t planes, int64_t h, int64_t w, int64_t top,
                     int64_t left, int64_t paddedH, int64_t paddedW) {
  FOR_EACH_ELEMENT(i, planes * h * w) {
    int64_t plane = i / (h * w), y = i / w % h, x = i % w;
    to[i] = from[(plane * paddedH + y + top) * paddedW + x + left];
  }
}

/// Launches `kernel` with one thread per element (grid-stride beyond 2^38);
/// nothing for none.
template <typename... Params, typename... Args>
void launchOver(cudaStream_t on, int64_t elements, void (*kernel)(Params...), Args... args) {
  if (elements > 0)
    kernel<<<blocksFor(elements), kThreads, 0, on>>>(args...);
}

template <typename T> void launchMaxPool(const WindowShape &g, const T *keys, const T *values,
                                         T *out, const char *name) {
  if (hasError())
    return;
  launchOver(stream(), g.planes() * g.p * g.q, maxPool<T>, g, keys, values, out);
  checkLaunch(name);
}

template <typename T> void launchMaxUnpool(const WindowShape &g, const T *keys, const T *values,
                                           T *out, const char *name) {
  if (hasError())
    return;
  launchOver(stream(), g.inputSize(), maxUnpool<T>, g, keys, values, out);
  checkLaunch(name);
}

} // namespace

template <typename T>
cudaError_t padPlanes(cudaStream_t stream, const T *from, T *to, int64_t planes, int64_t h,
                      int64_t w, int64_t top, int64_t left, int64_t paddedH, int64_t paddedW) {
  launchOver(stream, planes * paddedH * paddedW, pad<T>, from, to, planes, h, w, top, left,
             paddedH, paddedW);
  return cudaGetLastError();
}

template <typename T>
cudaError_t cropPlanes(cudaStream_t stream, const T *from, T *to, int64_t planes, int64_t h,
                       int64_t w, int64_t top, int64_t left, int64_t paddedH, int64_t paddedW) {
  launchOver(stream, planes * h * w, crop<T>, from, to, planes, h, w, top, left, paddedH,
             paddedW);
  return cudaGetLastError();
}

#define INSTANTIATE_PADDING(T)                                                                \
  template cudaError_t padPlanes<T>(cudaStream_t, const T *, T *, int64_t, int64_t, int64_t,  \
                                    int64_t, int64_t, int64_t, int64_t);                      \
  template cudaError_t cropPlanes<T>(cudaStream_t, const T *, T *, int64_t, int64_t, int64_t, \
                                     int64_t, int64_t, int64_t, int64_t);
INSTANTIATE_PADDING(float)
INSTANTIATE_PADDING(double)

} // namespace marthe::rt::cuda

using namespace marthe::rt;

#define WINDOW_SHAPE                                                                          \
  WindowShape {                                                                               \
    n, c, h, w, p, q, r, s, strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, \
        dilationW                                                                             \
  }
#define DEFINE_POOL_KERNELS(T, suffix)                                                        \
  void marthe_cuda_max_pool2d_##suffix(const T *a, const T *b, T *out,                        \
                                       MARTHE_WINDOW_KERNEL_SIZES) {                          \
    cuda::launchMaxPool(WINDOW_SHAPE, a, b, out, "max_pool2d_" #suffix);                      \
  }                                                                                           \
  void marthe_cuda_max_unpool2d_##suffix(const T *a, const T *b, T *out,                      \
                                         MARTHE_WINDOW_KERNEL_SIZES) {                        \
    cuda::launchMaxUnpool(WINDOW_SHAPE, a, b, out, "max_unpool2d_" #suffix);                  \
  }

extern "C" {
DEFINE_POOL_KERNELS(float, f32)
DEFINE_POOL_KERNELS(double, f64)
}
