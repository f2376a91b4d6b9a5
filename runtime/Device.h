#pragma once

// Where the buffers of a program live. The CPU's are plain host memory; the
// CUDA runtime library (runtime/cuda) registers the device's memory when it
// is linked in, so that CPU trainers carry no CUDA dependency.

#include "runtime/Abi.h"

#include <cstddef>

namespace marthe::rt {

class DeviceMemory {
public:
  virtual ~DeviceMemory() = default;
  virtual void *allocate(size_t bytes) = 0;
  virtual void release(void *pointer) = 0;
  /// Copies to the device, ordered after all earlier work of the runtime.
  virtual void upload(void *device, const void *host, size_t bytes) = 0;
  /// Starts a copy to the host; `wait` makes every started copy complete.
  virtual void startDownload(void *host, const void *device, size_t bytes) = 0;
  virtual void wait() = 0;
  virtual void copy(void *to, const void *from, size_t bytes) = 0;
};

/// The memory of `device`: nullptr for the CPU (host memory); for CUDA the
/// registered device memory, initializing the device on first use. Throws
/// Error when no CUDA device is usable or the CUDA runtime is not linked.
DeviceMemory *deviceMemory(Device device);

/// Called by the CUDA runtime library when it is linked into a program.
void registerCudaMemory(DeviceMemory *(*open)());

} // namespace marthe::rt
