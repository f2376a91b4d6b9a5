#pragma once

// Where the buffers of a program live and its functions run. The CPU's are
// host memory and direct calls; the CUDA runtime library (runtime/cuda)
// registers the device's when it is linked in, so that CPU trainers carry no
// CUDA dependency.

#include "runtime/Abi.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace marthe::rt {

class DeviceRuntime {
public:
  virtual ~DeviceRuntime() = default;
  virtual void *allocate(size_t bytes) = 0;
  virtual void release(void *pointer) = 0;
  /// Copies to the device, ordered after all earlier work of the runtime.
  virtual void upload(void *device, const void *host, size_t bytes) = 0;
  /// Starts a copy to the host; `wait` makes every started copy complete.
  virtual void startDownload(void *host, const void *device, size_t bytes) = 0;
  virtual void wait() = 0;
  virtual void copy(void *to, const void *from, size_t bytes) = 0;
  /// Row i of `to` = row indices[i] of `from` (device memory, rows of
  /// `rowBytes`, a multiple of 4); `indices` is host memory.
  virtual void gatherRows(void *to, const void *from, const int32_t *indices, int64_t count,
                          size_t rowBytes) = 0;
  /// Calls `entry` on device buffers, possibly by replaying a CUDA graph of
  /// an earlier call with the same buffers.
  virtual void run(CompiledFunction entry, void *const *buffers, size_t count, void *arena) = 0;
  /// "cuda:0 (NVIDIA H200, sm_90)", for logs and summary.json.
  virtual std::string name() const = 0;

  /// Host memory the device copies into directly (pinned).
  virtual void *allocateHost(size_t bytes) = 0;
  virtual void releaseHost(void *pointer) = 0;
  /// Starts a copy into memory from allocateHost, ordered after the work
  /// queued before it; it has landed once waitFor() of a later mark returns.
  virtual void downloadAsync(void *host, const void *device, size_t bytes) = 0;
  /// Marks the work queued so far: waitFor(mark) waits for it, not for work
  /// queued after it (the next step keeps the device busy meanwhile).
  virtual uint64_t mark() = 0;
  virtual void waitFor(uint64_t mark) = 0;
};

/// The runtime of `device`: nullptr for the CPU (host memory, direct calls);
/// for CUDA the registered one, initializing the device on first use. Throws
/// Error when no CUDA device is usable or the CUDA runtime is not linked.
DeviceRuntime *deviceRuntime(Device device);

/// Called by the CUDA runtime library when it is linked into a program.
void registerCudaRuntime(DeviceRuntime *(*open)());

} // namespace marthe::rt
