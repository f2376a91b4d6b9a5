#include "runtime/data/Probe.h"

#include <exception>

namespace marthe::rt {

std::string probeSampleShape(const DataSource &source, std::vector<int64_t> &shape) noexcept {
  try {
    if (source.kind == "cifar10" || source.kind == "cifar100")
      shape = {3, 32, 32};
    else if (source.kind == "npy")
      shape = npySampleShape(source.trainImages);
    else if (source.kind == "idx")
      shape = idxSampleShape(source.trainImages);
    else
      shape = idxSampleShape(idxFile(source.dir, "train-images-idx3-ubyte"));
    return "";
  } catch (const std::exception &error) {
    return error.what();
  }
}

} // namespace marthe::rt
