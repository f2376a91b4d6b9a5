#include "runtime/Dataset.h"
#include "runtime/Error.h"

#include <algorithm>

namespace marthe::rt {

void normalize(ImageSet &set, const Preprocessing &preprocessing) {
  const std::vector<double> &mean = preprocessing.mean, &std = preprocessing.std;
  if (mean.empty() && std.empty())
    return;
  int64_t channels = set.shape.size() >= 3 ? set.shape[0] : 1;
  if (channels == 0 || set.sampleSize() == 0)
    throw Error("[data] mean and std: the samples are empty");
  for (auto [values, key] : {std::pair{&mean, "mean"}, std::pair{&std, "std"}})
    if (!values->empty() && int64_t(values->size()) != channels)
      throw Error(std::string("[data] ") + key + " has " + std::to_string(values->size()) +
                  " values but the samples have " + std::to_string(channels) + " channel" +
                  (channels == 1 ? "" : "s"));
  int64_t perChannel = set.sampleSize() / channels;
  for (int64_t i = 0; i < set.count * channels; ++i) {
    int64_t channel = i % channels;
    double shift = mean.empty() ? 0.0 : mean[channel], scale = std.empty() ? 1.0 : std[channel];
    float *values = set.pixels.data() + i * perChannel;
    for (int64_t j = 0; j < perChannel; ++j)
      values[j] = float((values[j] - shift) / scale);
  }
}

template <typename T>
void augmentSample(const T *from, T *to, const std::vector<int64_t> &shape,
                   const Preprocessing &preprocessing, uint64_t random) {
  int64_t height = shape[shape.size() - 2], width = shape.back(), planes = 1;
  for (size_t d = 0; d + 2 < shape.size(); ++d)
    planes *= shape[d];
  int64_t padding = preprocessing.cropPadding, span = 2 * padding + 1;
  int64_t dy = int64_t(random % span) - padding, dx = int64_t((random / span) % span) - padding;
  bool flip = preprocessing.flip && ((random >> 40) & 1);
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x) {
        int64_t sy = y + dy, sx = (flip ? width - 1 - x : x) + dx;
        bool inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
        to[(p * height + y) * width + x] = inside ? from[(p * height + sy) * width + sx] : T(0);
      }
}

template void augmentSample<float>(const float *, float *, const std::vector<int64_t> &,
                                   const Preprocessing &, uint64_t);
template void augmentSample<double>(const double *, double *, const std::vector<int64_t> &,
                                    const Preprocessing &, uint64_t);

} // namespace marthe::rt
