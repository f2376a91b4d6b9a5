// CIFAR-10 and CIFAR-100 in their binary form: records of the label byte(s)
// and 3072 bytes of a 32x32 image, red then green then blue plane.

#include "runtime/Dataset.h"
#include "runtime/Error.h"
#include "runtime/data/GzReader.h"

namespace marthe::rt {

ImageSet readCifarBatches(const std::vector<std::string> &paths, int labelBytes) {
  constexpr int64_t kImageBytes = 3 * 32 * 32;
  ImageSet set;
  set.shape = {3, 32, 32};
  for (const std::string &path : paths) {
    GzReader reader(path);
    std::vector<uint8_t> bytes;
    reader.readAppend(bytes, uint64_t(1) << 62);
    int64_t record = labelBytes + kImageBytes;
    if (bytes.empty() || bytes.size() % record != 0)
      throw Error(path + ": not a CIFAR binary batch: " + std::to_string(bytes.size()) +
                  " bytes is not a multiple of the " + std::to_string(record) +
                  "-byte record");
    int64_t count = bytes.size() / record;
    set.pixels.reserve(set.pixels.size() + count * kImageBytes);
    for (int64_t i = 0; i < count; ++i) {
      const uint8_t *at = bytes.data() + i * record;
      set.labels.push_back(at[labelBytes - 1]);
      for (int64_t j = 0; j < kImageBytes; ++j)
        set.pixels.push_back(at[labelBytes + j] / 255.0f);
    }
    set.count += count;
  }
  return set;
}

} // namespace marthe::rt
