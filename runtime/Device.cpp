#include "runtime/Device.h"

#include "runtime/Error.h"

namespace marthe::rt {

static DeviceRuntime *(*openCudaRuntime)() = nullptr;

void registerCudaRuntime(DeviceRuntime *(*open)()) { openCudaRuntime = open; }

DeviceRuntime *deviceRuntime(Device device) {
  if (device == Device::Cpu)
    return nullptr;
  if (!openCudaRuntime)
    throw Error("the program was compiled for CUDA but the CUDA runtime is not linked in");
  return openCudaRuntime();
}

} // namespace marthe::rt
