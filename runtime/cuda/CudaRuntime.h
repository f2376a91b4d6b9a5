#pragma once

// The CUDA runtime of compiled programs: one device, one stream on which
// every kernel, cuBLAS call and copy runs in order, and the first error of
// calls made from compiled code (which cannot unwind) kept until the
// runtime next synchronizes, where it is thrown with the call, the kernel
// and CUDA's error string.

#include <cuda_runtime_api.h>
#include <cublas_v2.h>

#include <string>

namespace marthe::rt::cuda {

/// The runtime's stream and cuBLAS handle; the device is initialized on the
/// first call.
cudaStream_t stream();
cublasHandle_t blas();

/// Records the first failure of a call made from compiled code; later
/// launches are skipped until it is thrown.
void recordError(const std::string &message);
bool hasError();
void clearError();
/// With MARTHE_CUDA_CHECK=1, waits for the work just queued and records a
/// failure as `what`'s; otherwise nothing.
void checkCompleted(const std::string &what);
/// Records a failed launch of `kernel` (a kernel of ours, just launched).
void checkLaunch(const char *kernel);
/// "call: cudaErrorX (text)" if `status` is an error, else empty.
std::string describe(cudaError_t status, const char *call);
std::string describe(cublasStatus_t status, const char *call);

/// cudaSuccess when the runtime's kernels have code the current device can
/// run (a cubin of its architecture or PTX for an older one), else
/// cudaErrorNoKernelImageForDevice or the error that says why not.
cudaError_t probeKernelImage();

/// Row i of `to` = row indices[i] of `from`, rows of `rowWords` 4-byte words;
/// `indices` in device memory. Launched on `stream`.
cudaError_t gatherRows(cudaStream_t stream, void *to, const void *from, const int32_t *indices,
                       int64_t count, int64_t rowWords);

} // namespace marthe::rt::cuda
