#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace marthe::rt {

// Greyscale images with one integer label each.
struct ImageSet {
  int64_t count = 0, rows = 0, cols = 0;
  std::vector<float> pixels;   // count*rows*cols, row-major, scaled to [0,1]
  std::vector<int32_t> labels; // count
  int64_t sampleSize() const { return rows * cols; }
};

// Reads an IDX3 uint8 image file and its IDX1 uint8 label file, gzip'd or not.
ImageSet readIdxPair(const std::string &imagesPath,
                     const std::string &labelsPath);

// A part of Fashion-MNIST and a half-open sample range [begin, end).
struct SplitSpec {
  std::string part; // "train" or "test"
  int64_t begin = 0, end = -1; // end -1 = to the end
};

// Parses "train", "test", "train[0:7000]", "test[:500]", "train[59000:]".
SplitSpec parseSplit(const std::string &text);

// The split's text form, as parseSplit accepts it.
std::string formatSplit(const SplitSpec &split);

// Loads the split from dataDir's train-* / t10k-* IDX files (.gz or plain).
ImageSet loadFashionMnist(const std::string &dataDir, const SplitSpec &split);

// Samples [begin, end) of set.
ImageSet slice(const ImageSet &set, int64_t begin, int64_t end);

} // namespace marthe::rt
