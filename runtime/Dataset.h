#pragma once

// Labelled samples for training: where they come from ([data] dataset) and
// the splits of them a run uses.

#include "runtime/RunOptions.h"

#include <cstdint>
#include <string>
#include <vector>

namespace marthe::rt {

// Samples of one shape (e.g. {1, 28, 28} or {3, 32, 32}) with one integer
// label each.
struct ImageSet {
  int64_t count = 0;
  std::vector<int64_t> shape;  // of one sample
  std::vector<float> pixels;   // count * sampleSize(), row-major
  std::vector<int32_t> labels; // count
  int64_t sampleSize() const;
};

// A part of a data source ("train" or "test") and a half-open sample range
// [begin, end).
struct SplitSpec {
  std::string part;
  int64_t begin = 0, end = -1; // end -1 = to the end
};

// Normalizes `set` in place; throws Error when mean or std do not have one
// value per channel.
void normalize(ImageSet &set, const Preprocessing &preprocessing);

// Crops and flips one sample of `shape` ([..., H, W]) from `from` to `to` as
// Preprocessing says; `random` is the sample's draw (offsets and flip).
template <typename T>
void augmentSample(const T *from, T *to, const std::vector<int64_t> &shape,
                   const Preprocessing &preprocessing, uint64_t random);

// Parses "train", "test", "train[0:7000]", "test[:500]", "train[59000:]".
SplitSpec parseSplit(const std::string &text);

// The split's text form, as parseSplit accepts it.
std::string formatSplit(const SplitSpec &split);

// The samples of `split`.
ImageSet loadSplit(const DataSource &source, const SplitSpec &split);

// Samples [begin, end) of set.
ImageSet slice(const ImageSet &set, int64_t begin, int64_t end);

// Readers (runtime/data/): the whole train or test part of one source.

// An IDX image file (uint8 or float32 elements, [N, ...]) and its IDX1 uint8
// label file, gzip'd or not.
ImageSet readIdxPair(const std::string &imagesPath, const std::string &labelsPath);

// NumPy .npy images (uint8 or float32, [N, ...]) and labels (integers, [N]).
ImageSet readNpyPair(const std::string &imagesPath, const std::string &labelsPath);

// CIFAR binary batches: records of `labelBytes` label bytes (the last one is
// the label: CIFAR-100's fine label) and a 3x32x32 uint8 image.
ImageSet readCifarBatches(const std::vector<std::string> &paths, int labelBytes);

} // namespace marthe::rt
