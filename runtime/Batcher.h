#pragma once

// Mini-batches of a split for the compiled functions' input and label
// tensors.

#include "runtime/Dataset.h"
#include "runtime/Program.h"

#include <cstdint>
#include <vector>

namespace marthe::rt {

/// Fills input/label tensors with mini-batches of a split, in order or in a
/// fresh permutation per epoch, the samples stored once in the model's
/// element type. For tensors on a device the split is uploaded once (when it
/// fits) and each batch is gathered there: a step moves only its indices.
class Batcher {
public:
  /// `augment`: crops and flips for the batches of fill() (training).
  Batcher(const ImageSet &set, bool shuffle, uint64_t seed,
          const Preprocessing *augment = nullptr);
  ~Batcher();
  Batcher(const Batcher &) = delete;
  Batcher &operator=(const Batcher &) = delete;

  /// Mini-batch `batchIndex` of the order.
  void fill(int64_t batchIndex, Tensor &input, Tensor &labels);
  /// Samples begin, begin + 1, ... (wrapping around the split).
  void fillRange(int64_t begin, Tensor &input, Tensor &labels);

private:
  void fillSamples(Tensor &input, Tensor &labels, bool augmented);
  void copyRows(unsigned char *to, DType dtype, bool augmented);
  void checkSampleSize(const Tensor &input, int64_t batch);
  int64_t sampleAt(int64_t position);
  const void *hostPixels(DType dtype) const;
  bool makeResident(DeviceRuntime *device, DType dtype);

  const ImageSet &set_;
  bool shuffle_;
  uint64_t seed_;
  int64_t epoch_ = -1;
  std::vector<int64_t> permutation_;
  std::vector<double> doubles_; // the pixels, for float64 models
  const Preprocessing *augment_;
  std::vector<int32_t> indices_;   // the samples of the batch being filled
  std::vector<int64_t> positions_; // their positions in the order (augmentation draws)
  /// The split on the device: pixels in the model's element type, labels.
  DeviceRuntime *device_ = nullptr;
  void *devicePixels_ = nullptr, *deviceLabels_ = nullptr;
  bool residentFailed_ = false;
};

} // namespace marthe::rt
