#include "runtime/Dataset.h"

#include "runtime/Error.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <regex>

namespace marthe::rt {
namespace {

constexpr uint32_t kImageMagic = 0x00000803;
constexpr uint32_t kLabelMagic = 0x00000801;
constexpr uint64_t kMaxElements = std::numeric_limits<int64_t>::max();

// gzread also reads uncompressed files, so one reader serves both forms.
class GzReader {
public:
  explicit GzReader(const std::string &path)
      : path_(path), file_(gzopen(path.c_str(), "rb"), &gzclose) {
    if (!file_)
      throw Error(path + ": cannot open: " + std::strerror(errno));
  }

  // Reads up to `wanted` bytes, appending to `out`; fewer only at end of file.
  void readAppend(std::vector<uint8_t> &out, uint64_t wanted) {
    constexpr uint64_t kChunk = 1 << 20;
    // Grow chunk by chunk so a corrupt header cannot force a huge allocation.
    while (wanted > 0) {
      size_t oldSize = out.size();
      unsigned ask = static_cast<unsigned>(std::min(wanted, kChunk));
      out.resize(oldSize + ask);
      int got = gzread(file_.get(), out.data() + oldSize, ask);
      if (got < 0)
        throw Error(path_ + ": read error: " + errorText());
      out.resize(oldSize + got);
      if (static_cast<unsigned>(got) < ask)
        return;
      wanted -= ask;
    }
  }

  bool atEnd() {
    std::vector<uint8_t> probe;
    readAppend(probe, 1);
    return probe.empty();
  }

private:
  std::string errorText() {
    int code = 0;
    std::string text = gzerror(file_.get(), &code);
    if (code == Z_ERRNO)
      return std::strerror(errno);
    // zlib prefixes its messages with the path, which ours already start with.
    std::string prefix = path_ + ": ";
    return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : text;
  }

  std::string path_;
  std::unique_ptr<gzFile_s, decltype(&gzclose)> file_;
};

uint32_t bigEndian32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

std::string hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

struct IdxFile {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

// Reads an IDX file of uint8 elements with `rank` dimensions.
IdxFile readIdx(const std::string &path, uint32_t magic, int rank,
                const char *kind) {
  GzReader reader(path);
  std::vector<uint8_t> header;
  uint64_t headerSize = 4 + 4 * uint64_t(rank);
  reader.readAppend(header, headerSize);
  if (header.size() >= 4 && bigEndian32(header.data()) != magic)
    throw Error(path + ": not an IDX " + kind + " file (magic " +
                hex32(bigEndian32(header.data())) + ")");
  if (header.size() < headerSize)
    throw Error(path + ": truncated IDX header: expected " +
                std::to_string(headerSize) + " bytes, got " +
                std::to_string(header.size()));

  IdxFile idx;
  uint64_t elements = 1;
  for (int i = 0; i < rank; ++i) {
    uint32_t dim = bigEndian32(header.data() + 4 + 4 * i);
    if (dim != 0 && elements > kMaxElements / dim)
      throw Error(path + ": IDX dimensions are too large");
    idx.dims.push_back(dim);
    elements *= dim;
  }
  reader.readAppend(idx.data, elements);
  if (idx.data.size() < elements)
    throw Error(path + ": truncated IDX file: expected " +
                std::to_string(elements) + " bytes of data, got " +
                std::to_string(idx.data.size()));
  if (!reader.atEnd())
    throw Error(path + ": unexpected data after the " +
                std::to_string(elements) + " bytes the IDX header declares");
  return idx;
}

std::string fashionMnistFile(const std::string &dataDir,
                             const std::string &stem) {
  auto gzipped = std::filesystem::path(dataDir) / (stem + ".gz");
  auto plain = std::filesystem::path(dataDir) / stem;
  if (!std::filesystem::exists(gzipped) && std::filesystem::exists(plain))
    return plain.string();
  return gzipped.string();
}

} // namespace

ImageSet readIdxPair(const std::string &imagesPath,
                     const std::string &labelsPath) {
  IdxFile images = readIdx(imagesPath, kImageMagic, 3, "image");
  IdxFile labels = readIdx(labelsPath, kLabelMagic, 1, "label");
  if (images.dims[0] != labels.dims[0])
    throw Error(imagesPath + ": has " + std::to_string(images.dims[0]) +
                " images but " + labelsPath + " has " +
                std::to_string(labels.dims[0]) + " labels");

  ImageSet set;
  set.count = images.dims[0];
  set.rows = images.dims[1];
  set.cols = images.dims[2];
  set.pixels.reserve(images.data.size());
  for (uint8_t byte : images.data)
    set.pixels.push_back(byte / 255.0f);
  set.labels.assign(labels.data.begin(), labels.data.end());
  return set;
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

ImageSet loadFashionMnist(const std::string &dataDir, const SplitSpec &split) {
  if (split.part != "train" && split.part != "test")
    throw Error("invalid split \"" + formatSplit(split) +
                "\": the part must be train or test");
  std::string prefix = split.part == "train" ? "train" : "t10k";
  std::string imagesPath = fashionMnistFile(dataDir, prefix + "-images-idx3-ubyte");
  std::string labelsPath = fashionMnistFile(dataDir, prefix + "-labels-idx1-ubyte");
  ImageSet all = readIdxPair(imagesPath, labelsPath);

  int64_t end = split.end < 0 ? all.count : split.end;
  if (split.begin < 0 || split.begin > end || end > all.count)
    throw Error(imagesPath + ": split " + formatSplit(split) +
                " is out of range: the file has " + std::to_string(all.count) +
                " samples");
  if (split.begin == 0 && end == all.count)
    return all;
  return slice(all, split.begin, end);
}

ImageSet slice(const ImageSet &set, int64_t begin, int64_t end) {
  if (begin < 0 || begin > end || end > set.count)
    throw Error("slice [" + std::to_string(begin) + ":" + std::to_string(end) +
                "] is out of range for " + std::to_string(set.count) +
                " samples");
  ImageSet part;
  part.count = end - begin;
  part.rows = set.rows;
  part.cols = set.cols;
  part.pixels.assign(set.pixels.begin() + begin * set.sampleSize(),
                     set.pixels.begin() + end * set.sampleSize());
  part.labels.assign(set.labels.begin() + begin, set.labels.begin() + end);
  return part;
}

} // namespace marthe::rt
