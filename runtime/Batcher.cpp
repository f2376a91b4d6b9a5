#include "runtime/Batcher.h"

#include "runtime/Error.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

namespace marthe::rt {

Batcher::Batcher(const ImageSet &set, bool shuffle, uint64_t seed)
    : set_(set), shuffle_(shuffle), seed_(seed) {}

Batcher::~Batcher() {
  if (devicePixels_)
    device_->release(devicePixels_);
  if (deviceLabels_)
    device_->release(deviceLabels_);
}

void Batcher::fill(int64_t batchIndex, Tensor &input, Tensor &labels) {
  int64_t batch = labels.size();
  indices_.resize(batch);
  for (int64_t i = 0; i < batch; ++i)
    indices_[i] = int32_t(sampleAt(batchIndex * batch + i));
  fillSamples(input, labels);
}

void Batcher::fillRange(int64_t begin, Tensor &input, Tensor &labels) {
  int64_t batch = labels.size();
  indices_.resize(batch);
  for (int64_t i = 0; i < batch; ++i)
    indices_[i] = int32_t((begin + i) % set_.count);
  fillSamples(input, labels);
}

void Batcher::fillSamples(Tensor &input, Tensor &labels) {
  int64_t batch = int64_t(indices_.size()), size = set_.sampleSize();
  checkSampleSize(input, batch);
  DType dtype = input.spec->dtype;
  size_t rowBytes = size * elementSize(dtype);
  DeviceRuntime *device = input.device();
  if (device && makeResident(device, dtype)) {
    device->gatherRows(input.outputBuffer(), devicePixels_, indices_.data(), batch, rowBytes);
    input.written();
  } else {
    auto *pixels = static_cast<const unsigned char *>(hostPixels(dtype));
    unsigned char *to = input.mutableData();
    for (int64_t i = 0; i < batch; ++i)
      std::memcpy(to + i * rowBytes, pixels + indices_[i] * rowBytes, rowBytes);
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
