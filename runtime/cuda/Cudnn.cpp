// Convolutions on the GPU through cuDNN's convolution API (forward,
// backward data, backward filter), one plan per geometry, pass and type:
// descriptors, the algorithm, its workspace and, for an uneven padding,
// a padded copy of the input, all made on the first call (which runs
// outside any CUDA-graph capture, runtime/cuda/CudaRuntime.cpp) and kept for
// the process, so that a step allocates nothing.
//
// cuDNN is loaded with dlopen on the first convolution: trainers of models
// without one never need it, and a machine without it gets an error naming
// the library instead of a trainer that does not start. Algorithms are the
// deterministic ones cuDNN's heuristics rank first (a resumed or replayed
// step must give the same bits); float32 uses FMA math unless
// MARTHE_CUDA_TF32=1 allows TF32 tensor cores, as for cuBLAS; float64 any
// math cuDNN offers (none of it lowers float64's precision).

#include "runtime/cuda/CudaRuntime.h"
#include "runtime/cuda/WindowKernels.h"

#include <cudnn.h>
#include <dlfcn.h>

#include <array>
#include <climits>
#include <exception>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>

namespace marthe::rt::cuda {
namespace {

/// The cuDNN functions the plans use, from libcudnn.so.9.
struct CudnnApi {
  decltype(&cudnnGetVersion) getVersion;
  decltype(&cudnnGetErrorString) getErrorString;
  decltype(&cudnnCreate) create;
  decltype(&cudnnSetStream) setStream;
  decltype(&cudnnCreateTensorDescriptor) createTensor;
  decltype(&cudnnSetTensor4dDescriptor) setTensor4d;
  decltype(&cudnnCreateFilterDescriptor) createFilter;
  decltype(&cudnnSetFilter4dDescriptor) setFilter4d;
  decltype(&cudnnCreateConvolutionDescriptor) createConvolution;
  decltype(&cudnnSetConvolution2dDescriptor) setConvolution2d;
  decltype(&cudnnSetConvolutionGroupCount) setGroupCount;
  decltype(&cudnnSetConvolutionMathType) setMathType;
  decltype(&cudnnGetConvolution2dForwardOutputDim) outputDim;
  decltype(&cudnnGetConvolutionForwardAlgorithm_v7) forwardAlgorithms;
  decltype(&cudnnGetConvolutionBackwardDataAlgorithm_v7) backwardDataAlgorithms;
  decltype(&cudnnGetConvolutionBackwardFilterAlgorithm_v7) backwardFilterAlgorithms;
  decltype(&cudnnConvolutionForward) forward;
  decltype(&cudnnConvolutionBackwardData) backwardData;
  decltype(&cudnnConvolutionBackwardFilter) backwardFilter;
};

constexpr const char *kLibrary = "libcudnn.so.9";
/// The most workspace one plan's algorithm may use.
constexpr size_t kMaxWorkspaceBytes = size_t(256) << 20;

template <typename F> bool resolve(void *library, F &function, const char *symbol,
                                   std::string &error) {
  function = reinterpret_cast<F>(dlsym(library, symbol));
  if (!function && error.empty())
    error = std::string(kLibrary) + " has no " + symbol;
  return function != nullptr;
}

/// Loads cuDNN; on failure returns null with `error` saying why.
std::unique_ptr<CudnnApi> loadCudnn(std::string &error) {
  void *library = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    error = std::string("convolutions on the GPU need cuDNN 9, and ") + kLibrary +
            " could not be loaded (" + (why ? why : "not found") +
            "): install cuDNN 9 or put its lib directory on LD_LIBRARY_PATH";
    return nullptr;
  }
  auto api = std::make_unique<CudnnApi>();
#define RESOLVE(member, symbol) resolve(library, api->member, #symbol, error)
  bool complete =
      RESOLVE(getVersion, cudnnGetVersion) & RESOLVE(getErrorString, cudnnGetErrorString) &
      RESOLVE(create, cudnnCreate) & RESOLVE(setStream, cudnnSetStream) &
      RESOLVE(createTensor, cudnnCreateTensorDescriptor) &
      RESOLVE(setTensor4d, cudnnSetTensor4dDescriptor) &
      RESOLVE(createFilter, cudnnCreateFilterDescriptor) &
      RESOLVE(setFilter4d, cudnnSetFilter4dDescriptor) &
      RESOLVE(createConvolution, cudnnCreateConvolutionDescriptor) &
      RESOLVE(setConvolution2d, cudnnSetConvolution2dDescriptor) &
      RESOLVE(setGroupCount, cudnnSetConvolutionGroupCount) &
      RESOLVE(setMathType, cudnnSetConvolutionMathType) &
      RESOLVE(outputDim, cudnnGetConvolution2dForwardOutputDim) &
      RESOLVE(forwardAlgorithms, cudnnGetConvolutionForwardAlgorithm_v7) &
      RESOLVE(backwardDataAlgorithms, cudnnGetConvolutionBackwardDataAlgorithm_v7) &
      RESOLVE(backwardFilterAlgorithms, cudnnGetConvolutionBackwardFilterAlgorithm_v7) &
      RESOLVE(forward, cudnnConvolutionForward) &
      RESOLVE(backwardData, cudnnConvolutionBackwardData) &
      RESOLVE(backwardFilter, cudnnConvolutionBackwardFilter);
#undef RESOLVE
  if (!complete)
    return nullptr;
  if (size_t version = api->getVersion(); version < 90000) {
    error = std::string(kLibrary) + " is cuDNN " + std::to_string(version) + ", not 9";
    return nullptr;
  }
  return api;
}

enum class ConvPass { Forward, BackwardData, BackwardFilter };

const char *passName(ConvPass pass) {
  switch (pass) {
  case ConvPass::Forward:
    return "conv2d";
  case ConvPass::BackwardData:
    return "conv2d_backward_data";
  case ConvPass::BackwardFilter:
    return "conv2d_backward_filter";
  }
  return "conv2d";
}

/// A failed cuDNN call, with what it was doing.
class CudnnFailure {
public:
  explicit CudnnFailure(std::string message) : message(std::move(message)) {}
  std::string message;
};

/// One convolution (geometry, pass, element type) ready to run.
class ConvPlan {
public:
  ConvPlan(const CudnnApi &api, cudnnHandle_t handle, const ConvShape &g, ConvPass pass,
           bool isDouble)
      : api(api), handle(handle), g(g), pass(pass), isDouble(isDouble) {
    uneven = g.padTop != g.padBottom || g.padLeft != g.padRight;
    paddedH = g.h + (uneven ? g.padTop + g.padBottom : 0);
    paddedW = g.w + (uneven ? g.padLeft + g.padRight : 0);
    for (int64_t size : {g.n, g.c, paddedH, paddedW, g.k, g.r, g.s, g.p, g.q, g.groups,
                         g.n * g.c * paddedH * paddedW, g.outputSize(), g.filterSize()})
      if (size > INT_MAX)
        throw CudnnFailure("a dimension or tensor of " + std::to_string(size) +
                           " elements: cuDNN's descriptors take int sizes");
    describeTensors();
    chooseAlgorithm();
    if (workspaceBytes)
      workspace = allocate(workspaceBytes, "workspace");
    if (uneven)
      paddedInput = allocate(size_t(g.n * g.c * paddedH * paddedW) * elementBytes(), "padded input");
  }

  /// a, b, out as the window kernels take them (runtime/KernelAbi.h).
  void run(const void *a, const void *b, void *out) {
    const double oneD = 1, zeroD = 0;
    const float oneF = 1, zeroF = 0;
    const void *one = isDouble ? static_cast<const void *>(&oneD) : &oneF;
    const void *zero = isDouble ? static_cast<const void *>(&zeroD) : &zeroF;
    switch (pass) {
    case ConvPass::Forward:
      check(api.forward(handle, one, input, padded(a), filter, b, convolution, forwardAlgorithm,
                        workspace, workspaceBytes, zero, output, out),
            "cudnnConvolutionForward");
      break;
    case ConvPass::BackwardData:
      check(api.backwardData(handle, one, filter, b, output, a, convolution, backwardDataAlgorithm,
                             workspace, workspaceBytes, zero, input,
                             uneven ? paddedInput : out),
            "cudnnConvolutionBackwardData");
      if (uneven)
        cropInto(out);
      break;
    case ConvPass::BackwardFilter:
      check(api.backwardFilter(handle, one, input, padded(a), output, b, convolution,
                               backwardFilterAlgorithm, workspace, workspaceBytes, zero, filter,
                               out),
            "cudnnConvolutionBackwardFilter");
      break;
    }
  }

private:
  size_t elementBytes() const { return isDouble ? sizeof(double) : sizeof(float); }

  std::string where() const {
    auto dims = [](std::initializer_list<int64_t> sizes) {
      std::string text;
      for (int64_t size : sizes)
        text += (text.empty() ? "[" : ", ") + std::to_string(size);
      return text + "]";
    };
    return std::string(passName(pass)) + (isDouble ? "_f64" : "_f32") + ", input " +
           dims({g.n, g.c, g.h, g.w}) + ", filter " + dims({g.k, g.c / g.groups, g.r, g.s}) +
           ", output " + dims({g.n, g.k, g.p, g.q});
  }

  void check(cudnnStatus_t status, const char *call) const {
    if (status != CUDNN_STATUS_SUCCESS)
      throw CudnnFailure(std::string(call) + " (" + where() + "): " + api.getErrorString(status));
  }

  void *allocate(size_t bytes, const char *what) {
    void *pointer = nullptr;
    std::string error = describe(cudaMalloc(&pointer, bytes),
                                 ("cudaMalloc of the " + std::string(what) + " of " + where())
                                     .c_str());
    if (!error.empty()) {
      cudaGetLastError(); // not for the next launch's check to find
      throw CudnnFailure(error);
    }
    return pointer;
  }

  void describeTensors() {
    cudnnDataType_t type = isDouble ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
    check(api.createTensor(&input), "cudnnCreateTensorDescriptor");
    check(api.createTensor(&output), "cudnnCreateTensorDescriptor");
    check(api.createFilter(&filter), "cudnnCreateFilterDescriptor");
    check(api.createConvolution(&convolution), "cudnnCreateConvolutionDescriptor");
    check(api.setTensor4d(input, CUDNN_TENSOR_NCHW, type, int(g.n), int(g.c), int(paddedH),
                          int(paddedW)),
          "cudnnSetTensor4dDescriptor (input)");
    check(api.setTensor4d(output, CUDNN_TENSOR_NCHW, type, int(g.n), int(g.k), int(g.p), int(g.q)),
          "cudnnSetTensor4dDescriptor (output)");
    check(api.setFilter4d(filter, type, CUDNN_TENSOR_NCHW, int(g.k), int(g.c / g.groups), int(g.r),
                          int(g.s)),
          "cudnnSetFilter4dDescriptor");
    check(api.setConvolution2d(convolution, uneven ? 0 : int(g.padTop),
                               uneven ? 0 : int(g.padLeft), int(g.strideH), int(g.strideW),
                               int(g.dilationH), int(g.dilationW), CUDNN_CROSS_CORRELATION, type),
          "cudnnSetConvolution2dDescriptor");
    check(api.setGroupCount(convolution, int(g.groups)), "cudnnSetConvolutionGroupCount");
    const char *tf32 = std::getenv("MARTHE_CUDA_TF32");
    bool allowTf32 = tf32 && std::strcmp(tf32, "1") == 0;
    mathType = isDouble || allowTf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
    check(api.setMathType(convolution, mathType), "cudnnSetConvolutionMathType");
    int n, k, p, q;
    check(api.outputDim(convolution, input, filter, &n, &k, &p, &q),
          "cudnnGetConvolution2dForwardOutputDim");
    if (n != g.n || k != g.k || p != g.p || q != g.q)
      throw CudnnFailure("cuDNN computes an output of [" + std::to_string(n) + ", " +
                         std::to_string(k) + ", " + std::to_string(p) + ", " + std::to_string(q) +
                         "] for " + where());
  }

  /// The first deterministic algorithm of cuDNN's ranking within the
  /// workspace limit and in the math the plan allows. Another (an atomics
  /// one) only where MARTHE_CUDNN_NONDETERMINISTIC=1 says bits may differ
  /// from run to run: a resumed or replayed step must otherwise give the same
  /// bits.
  template <typename Perf> const Perf *pick(const std::array<Perf, 16> &ranked, int count) {
    const char *allow = std::getenv("MARTHE_CUDNN_NONDETERMINISTIC");
    bool anyDeterminism = allow && std::strcmp(allow, "1") == 0;
    const Perf *nondeterministic = nullptr;
    for (int i = 0; i < count; ++i) {
      const Perf &perf = ranked[i];
      if (perf.status != CUDNN_STATUS_SUCCESS || perf.memory > kMaxWorkspaceBytes ||
          !allowed(perf.mathType))
        continue;
      if (perf.determinism == CUDNN_DETERMINISTIC)
        return &perf;
      if (!nondeterministic)
        nondeterministic = &perf;
    }
    if (nondeterministic && anyDeterminism)
      return nondeterministic;
    throw CudnnFailure(
        "cuDNN has no deterministic algorithm for " + where() + " within " +
        std::to_string(kMaxWorkspaceBytes >> 20) + " MiB of workspace" +
        (nondeterministic ? " (MARTHE_CUDNN_NONDETERMINISTIC=1 allows one whose sums vary from "
                            "run to run)"
                          : ""));
  }

  /// float32 stays in FMA math unless TF32 is allowed; nothing converts to
  /// half precision.
  bool allowed(cudnnMathType_t math) const {
    if (math == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION)
      return false;
    return isDouble || math == CUDNN_FMA_MATH || mathType != CUDNN_FMA_MATH;
  }

  /// Ranks the algorithms with `query(capacity, &count, results)` (one of
  /// cuDNN's *_v7 heuristics), picks one, and takes its workspace and math.
  template <typename Perf, typename Query> Perf choose(Query query, const char *call) {
    std::array<Perf, 16> ranked{};
    int count = 0;
    check(query(int(ranked.size()), &count, ranked.data()), call);
    Perf chosen = *pick(ranked, count);
    workspaceBytes = chosen.memory;
    check(api.setMathType(convolution, chosen.mathType), "cudnnSetConvolutionMathType");
    return chosen;
  }

  void chooseAlgorithm() {
    switch (pass) {
    case ConvPass::Forward:
      forwardAlgorithm = choose<cudnnConvolutionFwdAlgoPerf_t>(
          [&](int capacity, int *count, cudnnConvolutionFwdAlgoPerf_t *results) {
            return api.forwardAlgorithms(handle, input, filter, convolution, output, capacity,
                                         count, results);
          },
          "cudnnGetConvolutionForwardAlgorithm_v7").algo;
      break;
    case ConvPass::BackwardData:
      backwardDataAlgorithm = choose<cudnnConvolutionBwdDataAlgoPerf_t>(
          [&](int capacity, int *count, cudnnConvolutionBwdDataAlgoPerf_t *results) {
            return api.backwardDataAlgorithms(handle, filter, output, convolution, input,
                                              capacity, count, results);
          },
          "cudnnGetConvolutionBackwardDataAlgorithm_v7").algo;
      break;
    case ConvPass::BackwardFilter:
      backwardFilterAlgorithm = choose<cudnnConvolutionBwdFilterAlgoPerf_t>(
          [&](int capacity, int *count, cudnnConvolutionBwdFilterAlgoPerf_t *results) {
            return api.backwardFilterAlgorithms(handle, input, output, convolution, filter,
                                                capacity, count, results);
          },
          "cudnnGetConvolutionBackwardFilterAlgorithm_v7").algo;
      break;
    }
  }

  /// The input as the plan's descriptor sees it: padded into the plan's copy
  /// when the padding is uneven.
  const void *padded(const void *x) {
    if (!uneven)
      return x;
    std::string error =
        isDouble ? describe(padPlanes(stream(), static_cast<const double *>(x),
                                      static_cast<double *>(paddedInput), g.n * g.c, g.h, g.w,
                                      g.padTop, g.padLeft, paddedH, paddedW),
                            "padPlanes")
                 : describe(padPlanes(stream(), static_cast<const float *>(x),
                                      static_cast<float *>(paddedInput), g.n * g.c, g.h, g.w,
                                      g.padTop, g.padLeft, paddedH, paddedW),
                            "padPlanes");
    if (!error.empty())
      throw CudnnFailure(error + " (" + where() + ")");
    return paddedInput;
  }

  void cropInto(void *out) {
    std::string error =
        isDouble ? describe(cropPlanes(stream(), static_cast<const double *>(paddedInput),
                                       static_cast<double *>(out), g.n * g.c, g.h, g.w, g.padTop,
                                       g.padLeft, paddedH, paddedW),
                            "cropPlanes")
                 : describe(cropPlanes(stream(), static_cast<const float *>(paddedInput),
                                       static_cast<float *>(out), g.n * g.c, g.h, g.w, g.padTop,
                                       g.padLeft, paddedH, paddedW),
                            "cropPlanes");
    if (!error.empty())
      throw CudnnFailure(error + " (" + where() + ")");
  }

  const CudnnApi &api;
  cudnnHandle_t handle;
  ConvShape g;
  ConvPass pass;
  bool isDouble, uneven = false;
  cudnnMathType_t mathType = CUDNN_FMA_MATH;
  int64_t paddedH = 0, paddedW = 0;
  cudnnTensorDescriptor_t input = nullptr, output = nullptr;
  cudnnFilterDescriptor_t filter = nullptr;
  cudnnConvolutionDescriptor_t convolution = nullptr;
  cudnnConvolutionFwdAlgo_t forwardAlgorithm{};
  cudnnConvolutionBwdDataAlgo_t backwardDataAlgorithm{};
  cudnnConvolutionBwdFilterAlgo_t backwardFilterAlgorithm{};
  size_t workspaceBytes = 0;
  void *workspace = nullptr, *paddedInput = nullptr;
};

/// cuDNN, its handle on the runtime's stream and the plans, for the process
/// (like the CUDA runtime, never destroyed).
class Convolutions {
public:
  void run(ConvPass pass, const ConvShape &g, bool isDouble, const void *a, const void *b,
           void *out) {
    if (hasError())
      return;
    try {
      plan(pass, g, isDouble).run(a, b, out);
      checkCompleted(std::string("cuDNN ") + passName(pass));
    } catch (const CudnnFailure &failure) {
      recordError(failure.message);
    } catch (const std::exception &failure) { // nothing may unwind into compiled code
      recordError(std::string("cuDNN ") + passName(pass) + ": " + failure.what());
    } catch (...) {
      recordError(std::string("cuDNN ") + passName(pass) + ": an unknown exception");
    }
  }

private:
  using Key = std::array<int64_t, sizeof(ConvShape) / sizeof(int64_t) + 2>;

  ConvPlan &plan(ConvPass pass, const ConvShape &g, bool isDouble) {
    Key key;
    std::memcpy(key.data(), &g, sizeof(ConvShape));
    key[key.size() - 2] = int64_t(pass);
    key[key.size() - 1] = isDouble;
    std::unique_ptr<ConvPlan> &plan = plans[key];
    if (!plan)
      plan = std::make_unique<ConvPlan>(cudnn(), handle, g, pass, isDouble);
    return *plan;
  }

  const CudnnApi &cudnn() {
    if (!api) {
      std::string error;
      api = loadCudnn(error);
      if (!api)
        throw CudnnFailure(error);
      cudnnStatus_t status = api->create(&handle);
      if (status == CUDNN_STATUS_SUCCESS)
        status = api->setStream(handle, stream());
      if (status != CUDNN_STATUS_SUCCESS) {
        std::string message = std::string("cudnnCreate: ") + api->getErrorString(status);
        api.reset();
        throw CudnnFailure(message);
      }
    }
    return *api;
  }

  std::unique_ptr<CudnnApi> api;
  cudnnHandle_t handle = nullptr;
  std::map<Key, std::unique_ptr<ConvPlan>> plans;
};

void convolve(ConvPass pass, const ConvShape &g, bool isDouble, const void *a, const void *b,
              void *out) {
  static Convolutions *convolutions = new Convolutions();
  convolutions->run(pass, g, isDouble, a, b, out);
}

} // namespace
} // namespace marthe::rt::cuda

using namespace marthe::rt;

#define CONV_SHAPE                                                                            \
  ConvShape {                                                                                 \
    {n, c, h, w, p, q, r, s, strideH, strideW, padTop, padLeft, padBottom, padRight,          \
     dilationH, dilationW},                                                                   \
        k, groups                                                                             \
  }
#define DEFINE_CONV_KERNEL(name, pass, T, suffix)                                             \
  void marthe_cuda_##name##_##suffix(const T *a, const T *b, T *out,                          \
                                     MARTHE_WINDOW_KERNEL_SIZES, int64_t k, int64_t groups) { \
    cuda::convolve(cuda::ConvPass::pass, CONV_SHAPE, sizeof(T) == sizeof(double), a, b, out); \
  }
#define DEFINE_CONV_KERNELS(T, suffix)                                                        \
  DEFINE_CONV_KERNEL(conv2d, Forward, T, suffix)                                              \
  DEFINE_CONV_KERNEL(conv2d_backward_data, BackwardData, T, suffix)                           \
  DEFINE_CONV_KERNEL(conv2d_backward_filter, BackwardFilter, T, suffix)

extern "C" {
DEFINE_CONV_KERNELS(float, f32)
DEFINE_CONV_KERNELS(double, f64)
}
