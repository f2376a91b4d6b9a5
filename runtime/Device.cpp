#include "runtime/Device.h"

#include "runtime/Error.h"

namespace marthe::rt {

static DeviceMemory *(*openCudaMemory)() = nullptr;

void registerCudaMemory(DeviceMemory *(*open)()) { openCudaMemory = open; }

DeviceMemory *deviceMemory(Device device) {
  if (device == Device::Cpu)
    return nullptr;
  if (!openCudaMemory)
    throw Error("the program was compiled for CUDA but the CUDA runtime is not linked in");
  return openCudaMemory();
}

} // namespace marthe::rt
