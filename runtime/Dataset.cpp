#include "runtime/Dataset.h"

#include "runtime/Error.h"
#include "runtime/data/Probe.h"

#include <filesystem>
#include <regex>

namespace marthe::rt {
namespace {

namespace fs = std::filesystem;

/// `dir`, or its subfolder `unpacked` (as the archive unpacks) where the
/// files are there.
fs::path cifarDir(const std::string &dir, const char *unpacked, const char *probe) {
  fs::path inside = fs::path(dir) / unpacked;
  return !fs::exists(fs::path(dir) / probe) && fs::exists(inside / probe) ? inside
                                                                          : fs::path(dir);
}

/// The whole part ("train" or "test") of `source`, and what to name in errors.
ImageSet loadPart(const DataSource &source, const std::string &part, std::string &name) {
  bool train = part == "train";
  const std::string &kind = source.kind;
  if (kind == "fashion-mnist" || kind == "mnist") {
    std::string prefix = train ? "train" : "t10k";
    name = idxFile(source.dir, prefix + "-images-idx3-ubyte");
    return readIdxPair(name, idxFile(source.dir, prefix + "-labels-idx1-ubyte"));
  }
  if (kind == "idx" || kind == "npy") {
    name = train ? source.trainImages : source.testImages;
    const std::string &labels = train ? source.trainLabels : source.testLabels;
    if (name.empty() || labels.empty())
      throw Error(std::string("dataset \"") + kind + "\" needs " +
                  (train ? "train_images and train_labels" : "test_images and test_labels"));
    return kind == "idx" ? readIdxPair(name, labels) : readNpyPair(name, labels);
  }
  if (kind == "cifar10") {
    fs::path dir = cifarDir(source.dir, "cifar-10-batches-bin", "test_batch.bin");
    std::vector<std::string> paths;
    if (train)
      for (int i = 1; i <= 5; ++i)
        paths.push_back((dir / ("data_batch_" + std::to_string(i) + ".bin")).string());
    else
      paths.push_back((dir / "test_batch.bin").string());
    name = dir.string();
    return readCifarBatches(paths, 1);
  }
  if (kind == "cifar100") {
    fs::path dir = cifarDir(source.dir, "cifar-100-binary", "test.bin");
    name = (dir / (train ? "train.bin" : "test.bin")).string();
    return readCifarBatches({name}, 2);
  }
  throw Error("unknown dataset \"" + kind +
              "\" (expected fashion-mnist, mnist, cifar10, cifar100, idx or npy)");
}

} // namespace

std::string idxFile(const std::string &dir, const std::string &stem) {
  fs::path gzipped = fs::path(dir) / (stem + ".gz"), plain = fs::path(dir) / stem;
  if (!fs::exists(gzipped) && fs::exists(plain))
    return plain.string();
  return gzipped.string();
}

int64_t ImageSet::sampleSize() const {
  int64_t size = 1;
  for (int64_t dim : shape)
    size *= dim;
  return size;
}

SplitSpec parseSplit(const std::string &text) {
  static const std::regex form(R"((train|test)(?:\[(\d{0,18}):(\d{0,18})\])?)");
  std::smatch match;
  if (!std::regex_match(text, match, form))
    throw Error("invalid split \"" + text +
                "\": expected train or test, optionally followed by a range "
                "[begin:end] such as train[0:7000], test[:500] or "
                "train[59000:]");
  SplitSpec split;
  split.part = match[1];
  if (match[2].length() > 0)
    split.begin = std::stoll(match[2]);
  if (match[3].length() > 0)
    split.end = std::stoll(match[3]);
  if (split.end >= 0 && split.begin > split.end)
    throw Error("invalid split \"" + text + "\": begin " +
                std::to_string(split.begin) + " is after end " +
                std::to_string(split.end));
  return split;
}

std::string formatSplit(const SplitSpec &split) {
  if (split.begin == 0 && split.end < 0)
    return split.part;
  return split.part + "[" + std::to_string(split.begin) + ":" +
         (split.end < 0 ? "" : std::to_string(split.end)) + "]";
}

ImageSet loadSplit(const DataSource &source, const SplitSpec &split) {
  if (split.part != "train" && split.part != "test")
    throw Error("invalid split \"" + formatSplit(split) +
                "\": the part must be train or test");
  std::string name;
  ImageSet all = loadPart(source, split.part, name);
  int64_t end = split.end < 0 ? all.count : split.end;
  if (split.begin < 0 || split.begin > end || end > all.count)
    throw Error(name + ": split " + formatSplit(split) + " is out of range: the data has " +
                std::to_string(all.count) + " samples");
  if (split.begin == 0 && end == all.count)
    return all;
  return slice(all, split.begin, end);
}

ImageSet slice(const ImageSet &set, int64_t begin, int64_t end) {
  if (begin < 0 || begin > end || end > set.count)
    throw Error("slice [" + std::to_string(begin) + ":" + std::to_string(end) +
                "] is out of range for " + std::to_string(set.count) + " samples");
  ImageSet part;
  part.count = end - begin;
  part.shape = set.shape;
  part.pixels.assign(set.pixels.begin() + begin * set.sampleSize(),
                     set.pixels.begin() + end * set.sampleSize());
  part.labels.assign(set.labels.begin() + begin, set.labels.begin() + end);
  return part;
}

} // namespace marthe::rt
