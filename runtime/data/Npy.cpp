// NumPy .npy files (format versions 1 to 3): "\x93NUMPY", the version, the
// header length, a Python dict literal with 'descr', 'fortran_order' and
// 'shape', then the elements in C order.

#include "runtime/Dataset.h"
#include "runtime/Error.h"
#include "runtime/data/GzReader.h"
#include "runtime/data/Probe.h"

#include <cstring>
#include <limits>
#include <regex>

namespace marthe::rt {
namespace {

/// numpy's own limit; it also bounds the work of the regexes below.
constexpr uint64_t kMaxHeaderBytes = 10000;

struct NpyArray {
  std::string descr; // e.g. "|u1", "<f4", "<i8"
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
};

std::string field(const std::string &path, const std::string &header, const char *pattern,
                  const char *name) {
  std::smatch match;
  if (!std::regex_search(header, match, std::regex(pattern)))
    throw Error(path + ": the .npy header has no " + name + ": " + header);
  return match[1];
}

/// Bytes per element of the dtypes we read; 0 for others.
size_t elementBytes(const std::string &descr) {
  static const std::regex form(R"([|<]([uif])([1248]))");
  std::smatch match;
  if (!std::regex_match(descr, match, form) || (descr[0] == '|' && descr != "|u1" &&
                                                descr != "|i1"))
    return 0;
  if (match[1] == "f" && match[2] != "4" && match[2] != "8")
    return 0;
  return std::stoul(match[2]);
}

/// The header of the .npy file `reader` reads: dtype and shape.
NpyArray readHeader(GzReader &reader) {
  const std::string &path = reader.path();
  std::vector<uint8_t> prefix;
  reader.readExactly(prefix, 8, ".npy header");
  if (std::memcmp(prefix.data(), "\x93NUMPY", 6) != 0)
    throw Error(path + ": not a .npy file");
  int major = prefix[6];
  if (major < 1 || major > 3)
    throw Error(path + ": .npy format version " + std::to_string(major) + " is not supported");
  std::vector<uint8_t> length;
  reader.readExactly(length, major == 1 ? 2 : 4, ".npy header");
  uint64_t headerBytes = length[0] | uint64_t(length[1]) << 8;
  if (major > 1)
    headerBytes |= uint64_t(length[2]) << 16 | uint64_t(length[3]) << 24;
  if (headerBytes > kMaxHeaderBytes)
    throw Error(path + ": the .npy header is too long (" + std::to_string(headerBytes) +
                " bytes; numpy writes at most " + std::to_string(kMaxHeaderBytes) + ")");
  std::vector<uint8_t> text;
  reader.readExactly(text, headerBytes, ".npy header");
  std::string header(text.begin(), text.end());
  NpyArray array;
  array.descr = field(path, header, R"('descr'\s*:\s*'([^']*)')", "'descr'");
  if (field(path, header, R"('fortran_order'\s*:\s*(True|False))", "'fortran_order'") ==
      "True")
    throw Error(path + ": Fortran-ordered .npy arrays are not supported (save in C order)");
  std::string dims = field(path, header, R"('shape'\s*:\s*\(([^)]*)\))", "'shape'");
  static const std::regex number(R"(\d+)");
  for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it) {
    if (it->length() > 15)
      throw Error(path + ": .npy dimension " + it->str() + " is too large");
    array.shape.push_back(std::stoll(it->str()));
  }
  return array;
}

NpyArray readNpy(const std::string &path) {
  GzReader reader(path);
  NpyArray array = readHeader(reader);
  uint64_t elements = 1;
  for (int64_t dim : array.shape) {
    if (dim != 0 && elements > uint64_t(std::numeric_limits<int64_t>::max()) / 8 / dim)
      throw Error(path + ": the .npy shape is too large");
    elements *= dim;
  }
  size_t bytes = elementBytes(array.descr);
  if (!bytes)
    throw Error(path + ": .npy dtype '" + array.descr +
                "' is not supported (expected uint8 or float32 images, integer labels)");
  reader.readExactly(array.data, elements * bytes, ".npy data");
  if (!reader.atEnd())
    throw Error(path + ": unexpected data after the " + std::to_string(elements * bytes) +
                " bytes the .npy header declares");
  return array;
}

template <typename T> T element(const NpyArray &array, size_t i) {
  T value;
  std::memcpy(&value, array.data.data() + i * sizeof(T), sizeof(T));
  return value;
}

int64_t integerAt(const NpyArray &array, size_t i) {
  char kind = array.descr[1];
  switch (array.descr[2]) {
  case '1':
    return kind == 'u' ? int64_t(element<uint8_t>(array, i)) : element<int8_t>(array, i);
  case '2':
    return kind == 'u' ? int64_t(element<uint16_t>(array, i)) : element<int16_t>(array, i);
  case '4':
    return kind == 'u' ? int64_t(element<uint32_t>(array, i)) : element<int32_t>(array, i);
  default:
    return kind == 'u' ? int64_t(element<uint64_t>(array, i)) : element<int64_t>(array, i);
  }
}

} // namespace

std::vector<int64_t> npySampleShape(const std::string &path) {
  GzReader reader(path);
  std::vector<int64_t> shape = readHeader(reader).shape;
  if (shape.empty())
    throw Error(path + ": images must have the shape [N, ...] of N samples");
  return std::vector<int64_t>(shape.begin() + 1, shape.end());
}

ImageSet readNpyPair(const std::string &imagesPath, const std::string &labelsPath) {
  NpyArray images = readNpy(imagesPath), labels = readNpy(labelsPath);
  if (images.descr != "|u1" && images.descr != "<f4")
    throw Error(imagesPath + ": images must be uint8 or float32, not '" + images.descr + "'");
  if (images.shape.size() < 2)
    throw Error(imagesPath + ": images must have the shape [N, ...] of N samples");
  if (labels.descr[1] == 'f' || labels.shape.size() != 1)
    throw Error(labelsPath + ": labels must be integers of shape [N]");
  if (images.shape[0] != labels.shape[0])
    throw Error(imagesPath + ": has " + std::to_string(images.shape[0]) + " images but " +
                labelsPath + " has " + std::to_string(labels.shape[0]) + " labels");
  ImageSet set;
  set.count = images.shape[0];
  set.shape.assign(images.shape.begin() + 1, images.shape.end());
  size_t values = images.data.size() / (images.descr == "<f4" ? 4 : 1);
  set.pixels.resize(values);
  for (size_t i = 0; i < values; ++i)
    set.pixels[i] = images.descr == "<f4" ? element<float>(images, i) : images.data[i] / 255.0f;
  for (int64_t i = 0; i < set.count; ++i) {
    int64_t label = integerAt(labels, i);
    if (label < 0 || label > std::numeric_limits<int32_t>::max())
      throw Error(labelsPath + ": label " + std::to_string(label) + " of sample " +
                  std::to_string(i) + " is not a class index");
    set.labels.push_back(int32_t(label));
  }
  return set;
}

} // namespace marthe::rt
