#include "runtime/data/Probe.h"

#include "runtime/Error.h"
#include "runtime/data/GzReader.h"

#include <cstring>
#include <filesystem>
#include <regex>

namespace marthe::rt {
namespace {

uint32_t bigEndian32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

std::vector<int64_t> idxSampleShape(const std::string &path) {
  GzReader reader(path);
  std::vector<uint8_t> header;
  reader.readExactly(header, 4, "IDX header");
  int rank = header[3];
  reader.readExactly(header, 4 * uint64_t(rank), "IDX header");
  std::vector<int64_t> shape;
  for (int i = 1; i < rank; ++i)
    shape.push_back(bigEndian32(header.data() + 4 + 4 * i));
  return shape;
}

std::vector<int64_t> npySampleShape(const std::string &path) {
  GzReader reader(path);
  std::vector<uint8_t> header;
  reader.readExactly(header, 10, ".npy header");
  if (std::memcmp(header.data(), "\x93NUMPY", 6) != 0)
    throw Error(path + ": not a .npy file");
  size_t length = header[8] | size_t(header[9]) << 8;
  if (header[6] > 1) {
    reader.readExactly(header, 2, ".npy header");
    length |= size_t(header[10]) << 16 | size_t(header[11]) << 24;
  }
  std::vector<uint8_t> text;
  reader.readExactly(text, std::min<size_t>(length, 1 << 20), ".npy header");
  std::string dict(text.begin(), text.end());
  std::smatch match;
  if (!std::regex_search(dict, match, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
    throw Error(path + ": the .npy header has no 'shape'");
  std::string dims = match[1];
  std::vector<int64_t> shape;
  static const std::regex number(R"(\d+)");
  for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it)
    shape.push_back(std::stoll(it->str()));
  if (!shape.empty())
    shape.erase(shape.begin());
  return shape;
}

std::string idxTrainImages(const std::string &dir) {
  namespace fs = std::filesystem;
  fs::path gzipped = fs::path(dir) / "train-images-idx3-ubyte.gz";
  fs::path plain = fs::path(dir) / "train-images-idx3-ubyte";
  return (!fs::exists(gzipped) && fs::exists(plain) ? plain : gzipped).string();
}

} // namespace

std::string probeSampleShape(const DataSource &source, std::vector<int64_t> &shape) noexcept {
  try {
    if (source.kind == "cifar10" || source.kind == "cifar100")
      shape = {3, 32, 32};
    else if (source.kind == "npy")
      shape = npySampleShape(source.trainImages);
    else if (source.kind == "idx")
      shape = idxSampleShape(source.trainImages);
    else
      shape = idxSampleShape(idxTrainImages(source.dir));
    return "";
  } catch (const std::exception &error) {
    return error.what();
  }
}

} // namespace marthe::rt
