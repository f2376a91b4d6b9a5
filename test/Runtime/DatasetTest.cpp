#include "runtime/Dataset.h"

#include "runtime/Error.h"
#include "runtime/data/Probe.h"
#include "test/Runtime/TempDir.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace marthe::rt {
namespace {

using test::TempDir;
using Bytes = std::vector<uint8_t>;

ImageSet loadFashionMnist(const std::string &dir, const SplitSpec &split) {
  return loadSplit(DataSource{"fashion-mnist", dir, "", "", "", ""}, split);
}

void appendBigEndian(Bytes &bytes, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    bytes.push_back(static_cast<uint8_t>(value >> shift));
}

Bytes idxFile(uint32_t magic, std::vector<uint32_t> dims, const Bytes &data) {
  Bytes bytes;
  appendBigEndian(bytes, magic);
  for (uint32_t dim : dims)
    appendBigEndian(bytes, dim);
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

void writeGzip(const std::string &path, const Bytes &bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr) << path;
  ASSERT_EQ(gzwrite(file, bytes.data(), bytes.size()), int(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

void writePlain(const std::string &path, const Bytes &bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
}

// 3 images of 2x2 pixels and their labels.
const Bytes kPixels = {0, 255, 51, 102, 1, 2, 3, 4, 200, 100, 50, 25};
const Bytes kLabels = {7, 0, 9};

class DatasetTest : public ::testing::Test {
protected:
  std::string writeImages(const Bytes &pixels = kPixels, uint32_t count = 3) {
    std::string path = dir.file("images.gz");
    writeGzip(path, idxFile(0x803, {count, 2, 2}, pixels));
    return path;
  }
  std::string writeLabels(const Bytes &labels = kLabels) {
    std::string path = dir.file("labels.gz");
    writeGzip(path, idxFile(0x801, {uint32_t(labels.size())}, labels));
    return path;
  }
  std::string errorOf(const std::string &images, const std::string &labels) {
    try {
      readIdxPair(images, labels);
    } catch (const Error &error) {
      return error.what();
    }
    return "no error";
  }

  TempDir dir;
};

TEST_F(DatasetTest, ReadsGzippedPair) {
  ImageSet set = readIdxPair(writeImages(), writeLabels());
  EXPECT_EQ(set.count, 3);
  EXPECT_EQ(set.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(set.sampleSize(), 4);
  ASSERT_EQ(set.pixels.size(), 12u);
  for (size_t i = 0; i < kPixels.size(); ++i)
    EXPECT_FLOAT_EQ(set.pixels[i], kPixels[i] / 255.0f) << "pixel " << i;
  EXPECT_EQ(set.pixels[1], 1.0f);
  EXPECT_EQ(set.pixels[0], 0.0f);
  EXPECT_EQ(set.labels, (std::vector<int32_t>{7, 0, 9}));
}

TEST_F(DatasetTest, ReadsUncompressedFilesToo) {
  writePlain(dir.file("images"), idxFile(0x803, {3, 2, 2}, kPixels));
  writePlain(dir.file("labels"), idxFile(0x801, {3}, kLabels));
  ImageSet set = readIdxPair(dir.file("images"), dir.file("labels"));
  EXPECT_EQ(set.count, 3);
  EXPECT_FLOAT_EQ(set.pixels[2], 0.2f);
  EXPECT_EQ(set.labels[2], 9);
}

TEST_F(DatasetTest, TruncatedImageDataIsReported) {
  std::string images = writeImages(Bytes(kPixels.begin(), kPixels.begin() + 5));
  EXPECT_EQ(errorOf(images, writeLabels()),
            images + ": truncated IDX file: expected 12 bytes of data, got 5");
}

TEST_F(DatasetTest, TruncatedLabelDataIsReported) {
  std::string labels = dir.file("labels.gz");
  writeGzip(labels, idxFile(0x801, {4}, kLabels));
  EXPECT_EQ(errorOf(writeImages(), labels),
            labels + ": truncated IDX file: expected 4 bytes of data, got 3");
}

TEST_F(DatasetTest, TruncatedHeaderIsReported) {
  std::string images = dir.file("short.gz");
  writeGzip(images, {0, 0, 8, 3, 0, 0});
  EXPECT_EQ(errorOf(images, writeLabels()),
            images + ": truncated IDX header: expected 16 bytes, got 6");
}

TEST_F(DatasetTest, TrailingDataIsReported) {
  Bytes longer = kPixels;
  longer.push_back(42);
  std::string images = writeImages(longer);
  EXPECT_EQ(errorOf(images, writeLabels()),
            images + ": unexpected data after the 12 bytes the IDX header "
                     "declares");
}

TEST_F(DatasetTest, CorruptGzipDataIsReported) {
  std::string images = dir.file("corrupt.gz");
  // A gzip header followed by a deflate block of the reserved type 3.
  writePlain(images, {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff});
  EXPECT_EQ(errorOf(images, writeLabels()),
            images + ": read error: invalid block type");
}

TEST_F(DatasetTest, WrongMagicIsReported) {
  std::string labels = writeLabels();
  EXPECT_EQ(errorOf(labels, labels),
            labels + ": not an IDX image file (magic 0x00000801)");
  std::string images = writeImages();
  EXPECT_EQ(errorOf(images, images),
            images + ": not an IDX label file (magic 0x00000803)");
}

TEST_F(DatasetTest, CountMismatchIsReported) {
  std::string images = writeImages();
  std::string labels = writeLabels({1, 2});
  EXPECT_EQ(errorOf(images, labels),
            images + ": has 3 images but " + labels + " has 2 labels");
}

TEST_F(DatasetTest, MissingFileIsReported) {
  std::string missing = dir.file("missing.gz");
  EXPECT_EQ(errorOf(missing, writeLabels()),
            missing + ": cannot open: No such file or directory");
}

// A .npy file (format 1.0) of `descr` elements with `shape`.
Bytes npyFile(const std::string &descr, const std::string &shape, const Bytes &data,
              const std::string &order = "False") {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + order +
                       ", 'shape': (" + shape + "), }";
  header.append(63 - (10 + header.size()) % 64, ' ');
  header.push_back('\n');
  Bytes bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, uint8_t(header.size() & 0xff),
                 uint8_t(header.size() >> 8)};
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

template <typename T> Bytes bytesOf(std::vector<T> values) {
  Bytes bytes(values.size() * sizeof(T));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

class DataFormatsTest : public ::testing::Test {
protected:
  std::string write(const std::string &name, const Bytes &bytes) {
    writePlain(dir.file(name), bytes);
    return dir.file(name);
  }
  std::string npyError(const Bytes &images, const Bytes &labels) {
    try {
      readNpyPair(write("x.npy", images), write("y.npy", labels));
    } catch (const Error &error) {
      return error.what();
    }
    return "no error";
  }
  TempDir dir;
};

TEST_F(DataFormatsTest, ReadsNpyBytesScaledAndFloatsAsStored) {
  ImageSet bytes = readNpyPair(write("x.npy", npyFile("|u1", "3, 2, 2", kPixels)),
                               write("y.npy", npyFile("<i8", "3,", bytesOf<int64_t>({7, 0, 9}))));
  EXPECT_EQ(bytes.count, 3);
  EXPECT_EQ(bytes.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_FLOAT_EQ(bytes.pixels[2], 51 / 255.0f);
  EXPECT_EQ(bytes.labels, (std::vector<int32_t>{7, 0, 9}));
  ImageSet floats =
      readNpyPair(write("f.npy", npyFile("<f4", "2, 3", bytesOf<float>({0.5f, -2, 3, 4, 5, 6}))),
                  write("l.npy", npyFile("|u1", "2,", {1, 2})));
  EXPECT_EQ(floats.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(floats.pixels, (std::vector<float>{0.5f, -2, 3, 4, 5, 6}));
  EXPECT_EQ(floats.labels, (std::vector<int32_t>{1, 2}));
}

TEST_F(DataFormatsTest, NpyErrorsNameTheFileAndTheProblem) {
  Bytes labels = npyFile("<i4", "3,", bytesOf<int32_t>({1, 2, 3}));
  std::string x = dir.file("x.npy"), y = dir.file("y.npy");
  EXPECT_EQ(npyError(npyFile("|u1", "3, 2, 2", kPixels, "True"), labels),
            x + ": Fortran-ordered .npy arrays are not supported (save in C order)");
  EXPECT_EQ(npyError(npyFile("<f8", "3,", Bytes(24)), labels),
            x + ": images must be uint8 or float32, not '<f8'");
  EXPECT_EQ(npyError(npyFile("<c8", "3,", Bytes(24)), labels),
            x + ": .npy dtype '<c8' is not supported (expected uint8 or float32 images, "
                "integer labels)");
  EXPECT_EQ(npyError(npyFile("|u1", "4, 2, 2", kPixels), labels),
            x + ": truncated .npy data: expected 16 bytes, got 12");
  EXPECT_EQ(npyError(npyFile("|u1", "3, 2, 2", kPixels), npyFile("<i4", "2,", Bytes(8))),
            x + ": has 3 images but " + y + " has 2 labels");
  EXPECT_EQ(npyError(npyFile("|u1", "3, 2, 2", kPixels),
                     npyFile("<i4", "3,", bytesOf<int32_t>({1, -1, 2}))),
            y + ": label -1 of sample 1 is not a class index");
  EXPECT_EQ(npyError(idxFile(0x803, {3, 2, 2}, kPixels), labels), x + ": not a .npy file");
  // A hostile header is bounded (numpy's own limit), not parsed at any length.
  Bytes huge = npyFile(std::string(20000, 'f'), "3, 2, 2", kPixels);
  EXPECT_EQ(npyError(huge, labels),
            x + ": the .npy header is too long (20086 bytes; numpy writes at most 10000)");
  EXPECT_EQ(npyError(npyFile("|u1", "99999999999999999999, 2", kPixels), labels),
            x + ": .npy dimension 99999999999999999999 is too large");
}

TEST_F(DataFormatsTest, ReadsIdxFloatImagesOfAnyRank) {
  Bytes floats;
  for (float value : {0.25f, -1.0f, 2.0f, 8.0f}) {
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    appendBigEndian(floats, bits);
  }
  ImageSet set = readIdxPair(write("x.idx", idxFile(0x0D04, {2, 1, 2, 1}, floats)),
                             write("y.idx", idxFile(0x801, {2}, {4, 5})));
  EXPECT_EQ(set.shape, (std::vector<int64_t>{1, 2, 1}));
  EXPECT_EQ(set.pixels, (std::vector<float>{0.25f, -1.0f, 2.0f, 8.0f}));
}

/// A CIFAR record: label bytes, then 3072 pixels all `pixel`.
Bytes cifarRecord(Bytes labels, uint8_t pixel) {
  labels.insert(labels.end(), 3 * 32 * 32, pixel);
  return labels;
}

TEST_F(DataFormatsTest, ReadsCifar10BatchesInTheirFolder) {
  std::filesystem::create_directory(dir.file("cifar-10-batches-bin"));
  for (int i = 1; i <= 5; ++i)
    write("cifar-10-batches-bin/data_batch_" + std::to_string(i) + ".bin",
          cifarRecord({uint8_t(i)}, uint8_t(10 * i)));
  Bytes test = cifarRecord({3}, 255);
  Bytes second = cifarRecord({9}, 0);
  test.insert(test.end(), second.begin(), second.end());
  write("cifar-10-batches-bin/test_batch.bin", test);
  DataSource source{"cifar10", dir.path().string(), "", "", "", ""};
  ImageSet train = loadSplit(source, parseSplit("train"));
  EXPECT_EQ(train.count, 5);
  EXPECT_EQ(train.shape, (std::vector<int64_t>{3, 32, 32}));
  EXPECT_EQ(train.labels, (std::vector<int32_t>{1, 2, 3, 4, 5}));
  EXPECT_FLOAT_EQ(train.pixels[3 * 3072], 40 / 255.0f);
  ImageSet tail = loadSplit(source, parseSplit("test[1:]"));
  EXPECT_EQ(tail.labels, (std::vector<int32_t>{9}));
}

TEST_F(DataFormatsTest, Cifar100UsesTheFineLabel) {
  write("train.bin", cifarRecord({2, 57}, 1));
  write("test.bin", Bytes(3073));
  DataSource source{"cifar100", dir.path().string(), "", "", "", ""};
  EXPECT_EQ(loadSplit(source, parseSplit("train")).labels, (std::vector<int32_t>{57}));
  try {
    loadSplit(source, parseSplit("test"));
    FAIL() << "a 3073-byte CIFAR-100 batch was accepted";
  } catch (const Error &error) {
    EXPECT_EQ(std::string(error.what()),
              dir.file("test.bin") +
                  ": not a CIFAR binary batch: 3073 bytes is not a multiple of the 3074-byte "
                  "record");
  }
}

TEST_F(DataFormatsTest, ProbesTheSampleShapeFromHeaders) {
  std::vector<int64_t> shape;
  std::string npy = write("x.npy", npyFile("|u1", "3, 2, 2", kPixels));
  EXPECT_EQ(probeSampleShape(DataSource{"npy", "", npy, "", "", ""}, shape), "");
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 2}));
  write("train-images-idx3-ubyte", idxFile(0x804, {3, 1, 2, 2}, kPixels));
  EXPECT_EQ(probeSampleShape(DataSource{"mnist", dir.path().string(), "", "", "", ""}, shape), "");
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 2, 2}));
  EXPECT_EQ(probeSampleShape(DataSource{"cifar100", "/nowhere", "", "", "", ""}, shape), "");
  EXPECT_EQ(shape, (std::vector<int64_t>{3, 32, 32}));
  EXPECT_EQ(probeSampleShape(DataSource{"idx", "", dir.file("missing"), "", "", ""}, shape),
            dir.file("missing") + ": cannot open: No such file or directory");
}

TEST_F(DataFormatsTest, FileDatasetsNeedTheirFiles) {
  try {
    loadSplit(DataSource{"npy", "", "x.npy", "y.npy", "", ""}, parseSplit("test"));
    FAIL() << "a missing test_images was accepted";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "dataset \"npy\" needs test_images and test_labels");
  }
}

TEST(PreprocessingTest, NormalizesEachChannel) {
  ImageSet set{2, {2, 1, 2}, {0, 1, 2, 4, 1, 1, 0, 2}, {0, 1}};
  normalize(set, Preprocessing{{0.5, 1}, {0.5, 2}, 0, false});
  EXPECT_EQ(set.pixels, (std::vector<float>{-1, 1, 0.5, 1.5, 1, 1, -0.5, 0.5}));
  Preprocessing three{{0, 0, 0}, {}, 0, false};
  try {
    normalize(set, three);
    FAIL() << "3 means for 2 channels were accepted";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "[data] mean has 3 values but the samples have 2 channels");
  }
}

TEST(PreprocessingTest, CropsFromThePaddedImageAndFlips) {
  // One 3x3 plane 1..9; padding 1: offsets in [-1, 1] from draws mod 3.
  std::vector<float> image = {1, 2, 3, 4, 5, 6, 7, 8, 9}, out(9);
  Preprocessing crop{{}, {}, 1, false};
  augmentSample(image.data(), out.data(), {1, 3, 3}, crop, /*dy*/ 2 + 3 * /*dx*/ 0);
  EXPECT_EQ(out, (std::vector<float>{0, 4, 5, 0, 7, 8, 0, 0, 0})); // down 1, left 1
  Preprocessing flip{{}, {}, 0, true};
  augmentSample(image.data(), out.data(), {3, 3}, flip, uint64_t(1) << 40);
  EXPECT_EQ(out, (std::vector<float>{3, 2, 1, 6, 5, 4, 9, 8, 7}));
  augmentSample(image.data(), out.data(), {3, 3}, flip, 0);
  EXPECT_EQ(out, image);
}

TEST(ParseSplitTest, AcceptsPartsAndRanges) {
  struct Case {
    std::string text, part;
    int64_t begin, end;
  };
  for (const Case &c : std::vector<Case>{{"train", "train", 0, -1},
                                         {"test", "test", 0, -1},
                                         {"train[0:7000]", "train", 0, 7000},
                                         {"train[7000:7700]", "train", 7000, 7700},
                                         {"test[:500]", "test", 0, 500},
                                         {"train[59000:]", "train", 59000, -1},
                                         {"train[5:5]", "train", 5, 5}}) {
    SplitSpec split = parseSplit(c.text);
    EXPECT_EQ(split.part, c.part) << c.text;
    EXPECT_EQ(split.begin, c.begin) << c.text;
    EXPECT_EQ(split.end, c.end) << c.text;
  }
}

std::string parseError(const std::string &text) {
  try {
    parseSplit(text);
  } catch (const Error &error) {
    return error.what();
  }
  return "no error";
}

TEST(ParseSplitTest, RejectsMalformedText) {
  for (std::string text :
       {"", "val", "Train", "train ", "train[", "train[1:2", "train[1]",
        "train[a:b]", "train[-1:5]", "train[1:2]x", "test[0:1234567890123456789]"})
    EXPECT_EQ(parseError(text),
              "invalid split \"" + text +
                  "\": expected train or test, optionally followed by a range "
                  "[begin:end] such as train[0:7000], test[:500] or "
                  "train[59000:]");
}

TEST(ParseSplitTest, RejectsReversedRange) {
  EXPECT_EQ(parseError("train[7700:7000]"),
            "invalid split \"train[7700:7000]\": begin 7700 is after end 7000");
}

TEST(ParseSplitTest, FormatsBackToTheSameText) {
  for (std::string text : {"train", "test[0:500]", "train[59000:]"})
    EXPECT_EQ(formatSplit(parseSplit(text)), text);
  EXPECT_EQ(formatSplit(parseSplit("test[:500]")), "test[0:500]");
}

TEST_F(DatasetTest, SliceCopiesTheRange) {
  ImageSet set = readIdxPair(writeImages(), writeLabels());
  ImageSet part = slice(set, 1, 3);
  EXPECT_EQ(part.count, 2);
  EXPECT_EQ(part.shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(part.labels, (std::vector<int32_t>{0, 9}));
  EXPECT_EQ(part.pixels,
            std::vector<float>(set.pixels.begin() + 4, set.pixels.end()));
  EXPECT_EQ(slice(set, 2, 2).count, 0);
}

TEST_F(DatasetTest, SliceRejectsBadRanges) {
  ImageSet set = readIdxPair(writeImages(), writeLabels());
  EXPECT_THROW(slice(set, 0, 4), Error);
  EXPECT_THROW(slice(set, -1, 2), Error);
  try {
    slice(set, 2, 1);
    ADD_FAILURE() << "no error";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "slice [2:1] is out of range for 3 samples");
  }
}

class FakeFashionMnistTest : public DatasetTest {
protected:
  void SetUp() override {
    writeGzip(dir.file("train-images-idx3-ubyte.gz"),
              idxFile(0x803, {3, 2, 2}, kPixels));
    writeGzip(dir.file("train-labels-idx1-ubyte.gz"),
              idxFile(0x801, {3}, kLabels));
    // The test part is stored uncompressed to cover the plain-name fallback.
    writePlain(dir.file("t10k-images-idx3-ubyte"),
               idxFile(0x803, {1, 2, 2}, {9, 9, 9, 9}));
    writePlain(dir.file("t10k-labels-idx1-ubyte"), idxFile(0x801, {1}, {4}));
  }
  std::string loadError(const std::string &split) {
    try {
      loadFashionMnist(dir.path().string(), parseSplit(split));
    } catch (const Error &error) {
      return error.what();
    }
    return "no error";
  }
};

TEST_F(FakeFashionMnistTest, LoadsTheRequestedSlice) {
  ImageSet train = loadFashionMnist(dir.path().string(), parseSplit("train[1:]"));
  EXPECT_EQ(train.count, 2);
  EXPECT_EQ(train.labels, (std::vector<int32_t>{0, 9}));
  ImageSet test = loadFashionMnist(dir.path().string(), parseSplit("test"));
  EXPECT_EQ(test.count, 1);
  EXPECT_EQ(test.labels, (std::vector<int32_t>{4}));
}

TEST_F(FakeFashionMnistTest, RejectsRangesBeyondTheFile) {
  std::string images = dir.file("train-images-idx3-ubyte.gz");
  EXPECT_EQ(loadError("train[0:4]"),
            images + ": split train[0:4] is out of range: the data has 3 "
                     "samples");
  EXPECT_EQ(loadError("train[4:]"),
            images + ": split train[4:] is out of range: the data has 3 "
                     "samples");
}

TEST_F(FakeFashionMnistTest, RejectsUnknownPart) {
  try {
    loadFashionMnist(dir.path().string(), SplitSpec{"val", 0, -1});
    ADD_FAILURE() << "no error";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(),
                 "invalid split \"val\": the part must be train or test");
  }
}

TEST(FakeFashionMnistMissingTest, NamesTheMissingFile) {
  TempDir empty;
  try {
    loadFashionMnist(empty.path().string(), parseSplit("train"));
    ADD_FAILURE() << "no error";
  } catch (const Error &error) {
    EXPECT_EQ(std::string(error.what()),
              empty.file("train-images-idx3-ubyte.gz") +
                  ": cannot open: No such file or directory");
  }
}

const char *kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

class RealFashionMnistTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (!std::filesystem::exists(kFashionMnistDir))
      GTEST_SKIP() << kFashionMnistDir << " is not installed";
  }
};

TEST_F(RealFashionMnistTest, FirstSevenThousandTrainingSamples) {
  ImageSet set = loadFashionMnist(kFashionMnistDir, parseSplit("train[0:7000]"));
  ASSERT_EQ(set.count, 7000);
  EXPECT_EQ(set.shape, (std::vector<int64_t>{28, 28}));
  ASSERT_EQ(set.pixels.size(), 7000u * 28 * 28);
  ASSERT_EQ(set.labels.size(), 7000u);
  auto [minPixel, maxPixel] = std::minmax_element(set.pixels.begin(), set.pixels.end());
  EXPECT_EQ(*minPixel, 0.0f);
  EXPECT_EQ(*maxPixel, 1.0f);

  // Counts checked independently with Python's gzip module.
  std::array<int, 10> perClass{};
  for (int32_t label : set.labels) {
    ASSERT_GE(label, 0);
    ASSERT_LE(label, 9);
    ++perClass[label];
  }
  EXPECT_EQ(perClass, (std::array<int, 10>{652, 754, 710, 719, 671, 699, 690,
                                           705, 692, 708}));
  EXPECT_EQ(set.labels[0], 9); // "Ankle boot"
  double firstImageSum = 0;
  for (int i = 0; i < 28 * 28; ++i)
    firstImageSum += set.pixels[i];
  EXPECT_NEAR(firstImageSum, 76247 / 255.0, 1e-3);
}

TEST_F(RealFashionMnistTest, TailOfTrainingSetAndTestSet) {
  EXPECT_EQ(loadFashionMnist(kFashionMnistDir, parseSplit("train[59000:]")).count,
            1000);
  ImageSet test = loadFashionMnist(kFashionMnistDir, parseSplit("test"));
  EXPECT_EQ(test.count, 10000);
  EXPECT_EQ(test.shape, (std::vector<int64_t>{28, 28}));
  EXPECT_EQ(std::set<int32_t>(test.labels.begin(), test.labels.end()).size(), 10u);
}

} // namespace
} // namespace marthe::rt
