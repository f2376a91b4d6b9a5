#include "runtime/Batcher.h"

#include "runtime/Error.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

namespace marthe::rt {

Batcher::Batcher(const ImageSet &set, bool shuffle, uint64_t seed, const Preprocessing *augment)
    : set_(set), shuffle_(shuffle), seed_(seed),
      augment_(augment && augment->augments() ? augment : nullptr) {
  if (augment_ && set.shape.size() < 2)
    throw Error("[data] crop_padding and flip need image samples ([..., height, width]); "
                "these have rank " + std::to_string(set.shape.size()));
  if (augment_ && (augment_->cropPadding >= set.shape.back() ||
                   augment_->cropPadding >= set.shape[set.shape.size() - 2]))
    throw Error("[data] crop_padding " + std::to_string(augment_->cropPadding) +
                " is not smaller than the images' height and width");
}

Batcher::~Batcher() {
  if (devicePixels_)
    device_->release(devicePixels_);
  if (deviceLabels_)
    device_->release(deviceLabels_);
}

void Batcher::fill(int64_t batchIndex, Tensor &input, Tensor &labels) {
  int64_t batch = labels.size();
  indices_.resize(batch);
  positions_.resize(batch);
  for (int64_t i = 0; i < batch; ++i) {
    positions_[i] = batchIndex * batch + i;
    indices_[i] = int32_t(sampleAt(positions_[i]));
  }
  fillSamples(input, labels, augment_ != nullptr);
}

void Batcher::fillRange(int64_t begin, Tensor &input, Tensor &labels) {
  int64_t batch = labels.size();
  indices_.resize(batch);
  for (int64_t i = 0; i < batch; ++i)
    indices_[i] = int32_t((begin + i) % set_.count);
  fillSamples(input, labels, false);
}

void Batcher::fillSamples(Tensor &input, Tensor &labels, bool augmented) {
  int64_t batch = int64_t(indices_.size()), size = set_.sampleSize();
  checkSampleSize(input, batch);
  DType dtype = input.spec->dtype;
  size_t rowBytes = size * elementSize(dtype);
  DeviceRuntime *device = input.device();
  // Augmented batches are made on the host (the data stays resident for
  // the others).
  if (device && !augmented && makeResident(device, dtype)) {
    device->gatherRows(input.outputBuffer(), devicePixels_, indices_.data(), batch, rowBytes);
    input.written();
  } else {
    copyRows(input.mutableData(), dtype, augmented);
  }
  if (labels.device() && devicePixels_) {
    labels.device()->gatherRows(labels.outputBuffer(), deviceLabels_, indices_.data(), batch,
                                sizeof(int32_t));
    labels.written();
    return;
  }
  auto *to = reinterpret_cast<int32_t *>(labels.mutableData());
  for (int64_t i = 0; i < batch; ++i)
    to[i] = set_.labels[indices_[i]];
}

void Batcher::copyRows(unsigned char *to, DType dtype, bool augmented) {
  size_t rowBytes = set_.sampleSize() * elementSize(dtype);
  auto *pixels = static_cast<const unsigned char *>(hostPixels(dtype));
  for (size_t i = 0; i < indices_.size(); ++i) {
    const unsigned char *from = pixels + indices_[i] * rowBytes;
    if (!augmented) {
      std::memcpy(to + i * rowBytes, from, rowBytes);
      continue;
    }
    uint64_t random = std::mt19937_64(seed_ * 0x9E3779B97F4A7C15ull + positions_[i])();
    if (dtype == DType::F64)
      augmentSample(reinterpret_cast<const double *>(from),
                    reinterpret_cast<double *>(to + i * rowBytes), set_.shape, *augment_, random);
    else
      augmentSample(reinterpret_cast<const float *>(from),
                    reinterpret_cast<float *>(to + i * rowBytes), set_.shape, *augment_, random);
  }
}

void Batcher::checkSampleSize(const Tensor &input, int64_t batch) {
  int64_t sampleSize = set_.sampleSize();
  if (input.size() != batch * sampleSize)
    throw Error("the compiled model takes " + std::to_string(input.size() / batch) +
                " values per sample but the data has " + std::to_string(sampleSize));
  if (input.spec->dtype == DType::F64 && doubles_.empty())
    doubles_.assign(set_.pixels.begin(), set_.pixels.end());
}

const void *Batcher::hostPixels(DType dtype) const {
  return dtype == DType::F64 ? static_cast<const void *>(doubles_.data())
                             : static_cast<const void *>(set_.pixels.data());
}

/// Uploads the split to `device` once; false (host copies per batch) when
/// the device has no room for it.
bool Batcher::makeResident(DeviceRuntime *device, DType dtype) {
  if (devicePixels_ || residentFailed_)
    return devicePixels_ != nullptr;
  size_t pixelBytes = set_.pixels.size() * elementSize(dtype);
  size_t labelBytes = set_.labels.size() * sizeof(int32_t);
  try {
    device_ = device;
    devicePixels_ = device->allocate(pixelBytes);
    deviceLabels_ = device->allocate(labelBytes);
  } catch (const Error &) {
    if (devicePixels_)
      device->release(devicePixels_);
    devicePixels_ = nullptr;
    residentFailed_ = true;
    return false;
  }
  device->upload(devicePixels_, hostPixels(dtype), pixelBytes);
  device->upload(deviceLabels_, set_.labels.data(), labelBytes);
  return true;
}

int64_t Batcher::sampleAt(int64_t position) {
  int64_t epoch = position / set_.count, offset = position % set_.count;
  if (!shuffle_)
    return offset;
  if (epoch != epoch_) {
    permutation_.resize(set_.count);
    std::iota(permutation_.begin(), permutation_.end(), 0);
    std::mt19937_64 rng(seed_ * 1000003 + epoch);
    std::shuffle(permutation_.begin(), permutation_.end(), rng);
    epoch_ = epoch;
  }
  return permutation_[offset];
}

} // namespace marthe::rt
