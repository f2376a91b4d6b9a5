// The CUDA runtime: device memory for runtime/Program.h, and the functions
// that MLIR's GPU lowering calls from compiled code (mgpuModuleLoad,
// mgpuModuleGetFunction, mgpuLaunchKernel, mgpuStreamCreate, ...), which
// put every launch on the runtime's stream. The driver API is reached
// through the CUDA runtime's entry-point query, so that a trainer starts
// (and says there is no GPU) on a machine without the driver.

#include "runtime/cuda/CudaRuntime.h"

#include "runtime/Device.h"
#include "runtime/Error.h"

#include <cuda.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

namespace marthe::rt::cuda {
namespace {

std::string errorMessage;

void throwIfFailed(cudaError_t status, const char *call) {
  std::string error = describe(status, call);
  if (!error.empty())
    throw Error(error);
}

/// The driver functions the launches need.
struct Driver {
  decltype(&cuModuleLoadData) moduleLoadData = nullptr;
  decltype(&cuModuleGetFunction) moduleGetFunction = nullptr;
  decltype(&cuLaunchKernel) launchKernel = nullptr;
  decltype(&cuGetErrorString) getErrorString = nullptr;

  template <typename F> void load(F &function, const char *symbol) {
    void *address = nullptr;
    cudaDriverEntryPointQueryResult found;
    throwIfFailed(cudaGetDriverEntryPointByVersion(symbol, &address, 12000, cudaEnableDefault,
                                                   &found),
                  symbol);
    if (found != cudaDriverEntryPointSuccess || !address)
      throw Error(std::string("the CUDA driver has no ") + symbol);
    function = reinterpret_cast<F>(address);
  }

  std::string describe(CUresult result, const std::string &call) {
    const char *text = nullptr;
    getErrorString(result, &text);
    return call + ": CUDA driver error " + std::to_string(int(result)) + " (" +
           (text ? text : "unknown") + ")";
  }
};

/// cuBLAS gets a workspace of its own, so that it allocates nothing while a
/// step is captured into a CUDA graph.
constexpr size_t kBlasWorkspaceBytes = size_t(32) << 20;
/// Distinct buffer sets with a captured graph, at most (a step alternates
/// between two as results become the next step's arguments).
constexpr size_t kMaxGraphs = 8;

bool environmentSays(const char *name, const char *value) {
  const char *set = std::getenv(name);
  return set && std::strcmp(set, value) == 0;
}

class CudaRuntime final : public DeviceRuntime {
public:
  CudaRuntime() {
    int count = 0;
    cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess)
      throw Error("no usable CUDA device: " + marthe::rt::cuda::describe(status, "cudaGetDeviceCount"));
    if (count == 0)
      throw Error("no CUDA device: cudaGetDeviceCount found none");
    throwIfFailed(cudaSetDevice(0), "cudaSetDevice");
    cudaDeviceProp properties;
    throwIfFailed(cudaGetDeviceProperties(&properties, 0), "cudaGetDeviceProperties");
    std::string chip = "sm_" + std::to_string(properties.major) + std::to_string(properties.minor);
    name_ = std::string("cuda:0 (") + properties.name + ", " + chip + ")";
    cudaError_t image = marthe::rt::cuda::probeKernelImage();
    if (image != cudaSuccess) {
      cudaGetLastError();
      throw Error("the GPU " + name_ + " cannot run this trainer's CUDA kernels (" +
                  marthe::rt::cuda::describe(image, "cudaFuncGetAttributes") +
                  "): they were built for " MARTHE_CUDA_RUNTIME_ARCHITECTURES);
    }
    throwIfFailed(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking),
                  "cudaStreamCreateWithFlags");
    std::string error = marthe::rt::cuda::describe(cublasCreate(&blas_), "cublasCreate");
    if (error.empty())
      error = marthe::rt::cuda::describe(cublasSetStream(blas_, stream_), "cublasSetStream");
    if (error.empty() && environmentSays("MARTHE_CUDA_TF32", "1"))
      error = marthe::rt::cuda::describe(cublasSetMathMode(blas_, CUBLAS_TF32_TENSOR_OP_MATH),
                                         "cublasSetMathMode");
    blasWorkspace_ = allocate(kBlasWorkspaceBytes);
    if (error.empty())
      error = marthe::rt::cuda::describe(
          cublasSetWorkspace(blas_, blasWorkspace_, kBlasWorkspaceBytes), "cublasSetWorkspace");
    if (!error.empty())
      throw Error(error);
    checkEachLaunch_ = environmentSays("MARTHE_CUDA_CHECK", "1");
    graphs_ = !environmentSays("MARTHE_CUDA_GRAPHS", "0") && !checkEachLaunch_;
    requireGraphs_ = environmentSays("MARTHE_CUDA_GRAPHS", "require");
    if (requireGraphs_ && !graphs_)
      throw Error("MARTHE_CUDA_GRAPHS=require but MARTHE_CUDA_CHECK=1 launches each kernel "
                  "directly");
    driver_.load(driver_.moduleLoadData, "cuModuleLoadData");
    driver_.load(driver_.moduleGetFunction, "cuModuleGetFunction");
    driver_.load(driver_.launchKernel, "cuLaunchKernel");
    driver_.load(driver_.getErrorString, "cuGetErrorString");
  }

  void *allocate(size_t bytes) override {
    void *pointer = nullptr;
    cudaError_t status = cudaMalloc(&pointer, bytes);
    if (status != cudaSuccess) {
      cudaGetLastError(); // a caller may fall back; later launches must not see it
      throwIfFailed(status, ("cudaMalloc of " + std::to_string(bytes) + " bytes").c_str());
    }
    return pointer;
  }

  void release(void *pointer) override {
    if (cudaFree(pointer) != cudaSuccess)
      cudaGetLastError();
  }

  void upload(void *device, const void *host, size_t bytes) override {
    throwIfFailed(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, stream_),
                  "cudaMemcpyAsync (to the device)");
  }

  /// Copies into pinned staging memory; wait() moves the bytes to `host`.
  void startDownload(void *host, const void *device, size_t bytes) override {
    size_t offset = (stagingUsed_ + 63) / 64 * 64;
    if (offset + bytes > stagingBytes_) {
      wait();
      growStaging(bytes);
      offset = 0;
    }
    throwIfFailed(cudaMemcpyAsync(staging_.get() + offset, device, bytes,
                                  cudaMemcpyDeviceToHost, stream_),
                  "cudaMemcpyAsync (to the host)");
    pending_.push_back({host, offset, bytes});
    stagingUsed_ = offset + bytes;
  }

  void wait() override {
    cudaError_t status = cudaStreamSynchronize(stream_);
    std::vector<Pending> landed;
    landed.swap(pending_);
    stagingUsed_ = 0;
    if (hasError()) {
      std::string message = errorMessage;
      errorMessage.clear();
      throw Error(message);
    }
    throwIfFailed(status, "cudaStreamSynchronize (a kernel or copy failed)");
    for (const Pending &copy : landed)
      std::memcpy(copy.host, staging_.get() + copy.offset, copy.bytes);
  }

  void copy(void *to, const void *from, size_t bytes) override {
    throwIfFailed(cudaMemcpyAsync(to, from, bytes, cudaMemcpyDeviceToDevice, stream_),
                  "cudaMemcpyAsync (on the device)");
  }

  void gatherRows(void *to, const void *from, const int32_t *indices, int64_t count,
                  size_t rowBytes) override {
    size_t indexBytes = size_t(count) * sizeof(int32_t);
    if (indexBytes > indicesBytes_) {
      wait(); // the old index buffer may still be read
      if (indices_)
        release(indices_);
      indices_ = allocate(indexBytes);
      indicesBytes_ = indexBytes;
    }
    upload(indices_, indices, indexBytes);
    throwIfFailed(marthe::rt::cuda::gatherRows(stream_, to, from,
                                               static_cast<const int32_t *>(indices_), count,
                                               int64_t(rowBytes / 4)),
                  "gatherRows (a mini-batch from the resident data)");
  }

  /// The first call with a set of buffers runs directly (it loads the
  /// kernels and lets cuBLAS choose its algorithms); the second is captured
  /// into a graph, which that call and later ones launch. A call that cannot
  /// be captured runs directly from then on.
  void run(CompiledFunction entry, void *const *buffers, size_t count, void *arena) override {
    if (!graphs_)
      return entry(buffers, arena);
    lookup_.entry = entry;
    lookup_.arena = arena;
    lookup_.buffers.assign(buffers, buffers + count); // no allocation once sized
    auto found = graphCache_.find(lookup_);
    if (found == graphCache_.end()) {
      if (graphCache_.size() == kMaxGraphs)
        evictLeastRecentlyUsed();
      graphCache_.emplace(lookup_, Graph{nullptr, false, ++graphClock_});
      return entry(buffers, arena);
    }
    Graph &graph = found->second;
    graph.lastUse = ++graphClock_;
    if (!graph.exec && !graph.uncapturable)
      capture(graph, entry, buffers, arena);
    if (!graph.exec)
      return entry(buffers, arena);
    std::string error = marthe::rt::cuda::describe(cudaGraphLaunch(graph.exec, stream_),
                                                   "cudaGraphLaunch (a captured step)");
    if (!error.empty())
      recordError(error);
  }

  std::string name() const override { return name_; }

  void *allocateHost(size_t bytes) override {
    void *pointer = nullptr;
    cudaError_t status = cudaMallocHost(&pointer, bytes);
    if (status != cudaSuccess)
      cudaGetLastError(); // not for the next launch's check to find
    throwIfFailed(status, "cudaMallocHost");
    return pointer;
  }

  void releaseHost(void *pointer) override {
    if (cudaFreeHost(pointer) != cudaSuccess)
      cudaGetLastError();
  }

  void downloadAsync(void *host, const void *device, size_t bytes) override {
    std::string error = marthe::rt::cuda::describe(
        cudaMemcpyAsync(host, device, bytes, cudaMemcpyDeviceToHost, stream_),
        "cudaMemcpyAsync (results to the host)");
    if (!error.empty())
      recordError(error);
  }

  /// An event on the stream; marks share a ring of events, the oldest
  /// reused once it has completed.
  uint64_t mark() override {
    uint64_t mark = ++marks_;
    cudaEvent_t &event = events_[mark % events_.size()];
    // Blocking: the host sleeps while the next step keeps the device busy.
    if (!event)
      throwIfFailed(
          cudaEventCreateWithFlags(&event, cudaEventDisableTiming | cudaEventBlockingSync),
          "cudaEventCreateWithFlags");
    else if (mark > events_.size())
      throwIfFailed(cudaEventSynchronize(event), "cudaEventSynchronize (work marked earlier)");
    throwIfFailed(cudaEventRecord(event, stream_), "cudaEventRecord");
    return mark;
  }

  void waitFor(uint64_t mark) override {
    cudaError_t status = cudaSuccess;
    if (mark + events_.size() > marks_) // else its event was reused: what it marked is done
      status = cudaEventSynchronize(events_[mark % events_.size()]);
    if (hasError()) {
      std::string message = errorMessage;
      errorMessage.clear();
      throw Error(message);
    }
    throwIfFailed(status, "cudaEventSynchronize (a kernel or copy failed)");
  }

  cudaStream_t stream() const { return stream_; }
  /// MARTHE_CUDA_CHECK=1: every launch is waited for, so that a kernel that
  /// faults is named (slow; graphs off).
  bool checkEachLaunch() const { return checkEachLaunch_; }
  cublasHandle_t blas() const { return blas_; }
  Driver &driver() { return driver_; }

private:
  struct GraphKey {
    CompiledFunction entry;
    void *arena;
    std::vector<void *> buffers;
    bool operator<(const GraphKey &other) const {
      return std::tie(entry, arena, buffers) < std::tie(other.entry, other.arena, other.buffers);
    }
  };
  struct Graph {
    cudaGraphExec_t exec = nullptr;
    bool uncapturable = false;
    uint64_t lastUse = 0;
  };

  /// Buffers of finished runs (a restart after divergence allocates anew)
  /// leave graphs that are never used again.
  void evictLeastRecentlyUsed() {
    auto oldest = std::min_element(graphCache_.begin(), graphCache_.end(),
                                   [](const auto &a, const auto &b) {
                                     return a.second.lastUse < b.second.lastUse;
                                   });
    if (oldest->second.exec)
      cudaGraphExecDestroy(oldest->second.exec);
    graphCache_.erase(oldest);
  }

  /// A failed capture is reported once (the call and later ones with these
  /// buffers run directly), or is an error under MARTHE_CUDA_GRAPHS=require.
  void capture(Graph &graph, CompiledFunction entry, void *const *buffers, void *arena) {
    cudaError_t began = hasError() ? cudaErrorNotReady
                                   : cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal);
    if (began != cudaSuccess) {
      cudaGetLastError();
      graph.uncapturable = true;
      return captureFailed(marthe::rt::cuda::describe(began, "cudaStreamBeginCapture"));
    }
    entry(buffers, arena);
    cudaGraph_t captured = nullptr;
    cudaError_t ended = cudaStreamEndCapture(stream_, &captured);
    std::string why = marthe::rt::cuda::describe(ended, "cudaStreamEndCapture");
    if (why.empty() && hasError())
      why = "a call failed while it was captured";
    if (why.empty() && !captured)
      why = "cudaStreamEndCapture returned no graph";
    if (why.empty())
      why = marthe::rt::cuda::describe(cudaGraphInstantiate(&graph.exec, captured, 0),
                                       "cudaGraphInstantiate");
    if (captured)
      cudaGraphDestroy(captured);
    if (why.empty())
      return;
    // What failed while capturing did not run; the call runs directly.
    cudaGetLastError();
    clearError();
    graph.exec = nullptr;
    graph.uncapturable = true;
    captureFailed(why);
  }

  void captureFailed(const std::string &why) {
    std::string message = "CUDA graph capture failed (" + why + ")";
    if (requireGraphs_)
      throw Error(message + " and MARTHE_CUDA_GRAPHS=require");
    if (!captureFailureReported_)
      std::fprintf(stderr, "warning: %s: the step runs with direct launches\n", message.c_str());
    captureFailureReported_ = true;
  }

  struct Pending {
    void *host;
    size_t offset, bytes;
  };
  struct PinnedDeleter {
    void operator()(unsigned char *pointer) const { cudaFreeHost(pointer); }
  };

  void growStaging(size_t bytes) {
    size_t size = std::max<size_t>(bytes, 2 * stagingBytes_);
    void *pointer = nullptr;
    throwIfFailed(cudaMallocHost(&pointer, std::max<size_t>(size, 4096)), "cudaMallocHost");
    staging_.reset(static_cast<unsigned char *>(pointer));
    stagingBytes_ = std::max<size_t>(size, 4096);
  }

  std::string name_;
  std::array<cudaEvent_t, 8> events_{};
  uint64_t marks_ = 0;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t blas_ = nullptr;
  void *blasWorkspace_ = nullptr;
  void *indices_ = nullptr;
  size_t indicesBytes_ = 0;
  bool graphs_ = true, checkEachLaunch_ = false, requireGraphs_ = false;
  bool captureFailureReported_ = false;
  std::map<GraphKey, Graph> graphCache_;
  GraphKey lookup_{};
  uint64_t graphClock_ = 0;
  Driver driver_;
  std::unique_ptr<unsigned char, PinnedDeleter> staging_;
  size_t stagingBytes_ = 0, stagingUsed_ = 0;
  std::vector<Pending> pending_;
};

CudaRuntime &runtime() {
  // Created on first use and never destroyed: the CUDA runtime may already
  // be shut down when static destructors run.
  static CudaRuntime *instance = new CudaRuntime();
  return *instance;
}

DeviceRuntime *openRuntime() { return &runtime(); }

const bool registered = (registerCudaRuntime(&openRuntime), true);

/// A kernel binary embedded by MLIR's offloading translation; loaded on the
/// first launch, after the runtime has initialized the device.
struct KernelModule {
  const void *image;
  CUmodule module = nullptr;
  std::map<const char *, struct Kernel *> kernels;
  /// A copy of the image where the embedded one is not 8-byte aligned.
  std::vector<uint64_t> aligned;
};

struct Kernel {
  CUfunction function;
  std::string name;
};

std::mutex moduleMutex;

} // namespace

cudaStream_t stream() { return runtime().stream(); }
cublasHandle_t blas() { return runtime().blas(); }

void recordError(const std::string &message) {
  if (errorMessage.empty())
    errorMessage = message;
}

bool hasError() { return !errorMessage.empty(); }

void clearError() { errorMessage.clear(); }

void checkCompleted(const std::string &what) {
  if (!runtime().checkEachLaunch() || hasError())
    return;
  std::string error = describe(cudaStreamSynchronize(stream()), what.c_str());
  if (!error.empty())
    recordError(error);
}

void checkLaunch(const char *kernel) {
  std::string error = describe(cudaGetLastError(), kernel);
  if (!error.empty())
    recordError(error);
  else
    checkCompleted(std::string("kernel ") + kernel);
}

std::string describe(cudaError_t status, const char *call) {
  if (status == cudaSuccess)
    return "";
  return std::string(call) + ": " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) +
         ")";
}

std::string describe(cublasStatus_t status, const char *call) {
  if (status == CUBLAS_STATUS_SUCCESS)
    return "";
  return std::string(call) + ": " + cublasGetStatusName(status) + " (" +
         cublasGetStatusString(status) + ")";
}

} // namespace marthe::rt::cuda

using namespace marthe::rt::cuda;

extern "C" {

void *mgpuModuleLoad(void *data, size_t size) {
  auto *module = new KernelModule{data};
  if (reinterpret_cast<uintptr_t>(data) % alignof(uint64_t) != 0) {
    module->aligned.resize((size + 7) / 8);
    std::memcpy(module->aligned.data(), data, size);
    module->image = module->aligned.data();
  }
  return module;
}

// Modules stay loaded until the process exits (see runtime()).
void mgpuModuleUnload(void *) {}

void *mgpuModuleGetFunction(void *handle, const char *name) {
  auto *module = static_cast<KernelModule *>(handle);
  std::lock_guard<std::mutex> lock(moduleMutex);
  auto found = module->kernels.find(name);
  if (found != module->kernels.end())
    return found->second;
  if (hasError())
    return nullptr;
  Driver &driver = runtime().driver();
  if (!module->module) {
    CUresult result = driver.moduleLoadData(&module->module, module->image);
    if (result != CUDA_SUCCESS) {
      bool noCode = result == CUDA_ERROR_NO_BINARY_FOR_GPU ||
                    result == CUDA_ERROR_UNSUPPORTED_PTX_VERSION ||
                    result == CUDA_ERROR_INVALID_PTX;
      recordError(driver.describe(result, "cuModuleLoadData (the compiled kernels)") +
                  (noCode ? "; the trainer holds no code this GPU (" + runtime().name() +
                                ") or its driver can run: compile it with marthe-compile "
                                "--gpu-chip naming this GPU's sm_NN"
                          : ""));
      return nullptr;
    }
  }
  auto *kernel = new Kernel{nullptr, name};
  CUresult result = driver.moduleGetFunction(&kernel->function, module->module, name);
  if (result != CUDA_SUCCESS) {
    recordError(driver.describe(result, std::string("cuModuleGetFunction ") + name));
    delete kernel;
    return nullptr;
  }
  module->kernels[name] = kernel;
  return kernel;
}

void *mgpuStreamCreate() { return stream(); }

void mgpuStreamDestroy(void *) {}

void mgpuStreamSynchronize(void *stream) {
  std::string error = describe(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)),
                               "cudaStreamSynchronize");
  if (!error.empty())
    recordError(error);
}

void mgpuLaunchKernel(void *handle, intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                      intptr_t blockX, intptr_t blockY, intptr_t blockZ, int32_t sharedBytes,
                      void *stream, void **params, void **extra, size_t /*paramsCount*/) {
  auto *kernel = static_cast<Kernel *>(handle);
  if (!kernel || hasError())
    return;
  Driver &driver = runtime().driver();
  CUresult result = driver.launchKernel(kernel->function, gridX, gridY, gridZ, blockX, blockY,
                                        blockZ, sharedBytes, static_cast<CUstream>(stream),
                                        params, extra);
  if (result != CUDA_SUCCESS)
    recordError(driver.describe(result, "cuLaunchKernel " + kernel->name));
  else if (runtime().checkEachLaunch())
    checkCompleted("kernel " + kernel->name);
}
}
