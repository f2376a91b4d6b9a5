// IDX files (MNIST, Fashion-MNIST and any data in that format): a big-endian
// magic 0x0000TTRR (TT: 0x08 uint8, 0x0D float32; RR: rank), RR big-endian
// dimensions, then the elements.

#include "runtime/Dataset.h"
#include "runtime/Error.h"
#include "runtime/data/GzReader.h"
#include "runtime/data/Probe.h"

#include <cstdio>
#include <cstring>
#include <limits>

namespace marthe::rt {
namespace {

constexpr uint8_t kUint8 = 0x08, kFloat32 = 0x0D;
constexpr uint32_t kLabelMagic = 0x00000801;
constexpr uint64_t kMaxElements = std::numeric_limits<int64_t>::max() / 4;

uint32_t bigEndian32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

std::string hex32(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

struct IdxArray {
  std::vector<int64_t> dims;
  uint8_t type = kUint8;
  std::vector<uint8_t> data; // big-endian elements
};

/// The header of the IDX file `reader` reads, if its magic `accepts`; `kind`
/// names it in errors.
template <typename Accepts>
IdxArray readHeader(GzReader &reader, const char *kind, Accepts accepts) {
  const std::string &path = reader.path();
  std::vector<uint8_t> header;
  reader.readAppend(header, 4);
  uint32_t magic = header.size() == 4 ? bigEndian32(header.data()) : 0;
  int rank = magic & 0xff;
  if (header.size() == 4 && !accepts(magic))
    throw Error(path + ": not an IDX " + kind + " file (magic " + hex32(magic) + ")");
  uint64_t headerSize = 4 + 4 * uint64_t(rank);
  reader.readAppend(header, headerSize - header.size());
  if (header.size() < headerSize)
    throw Error(path + ": truncated IDX header: expected " + std::to_string(headerSize) +
                " bytes, got " + std::to_string(header.size()));
  IdxArray idx;
  idx.type = (magic >> 8) & 0xff;
  for (int i = 0; i < rank; ++i)
    idx.dims.push_back(bigEndian32(header.data() + 4 + 4 * i));
  return idx;
}

bool isImageMagic(uint32_t magic) {
  uint8_t type = (magic >> 8) & 0xff;
  return (magic >> 16) == 0 && (type == kUint8 || type == kFloat32) && (magic & 0xff) >= 2;
}

template <typename Accepts>
IdxArray readIdx(const std::string &path, const char *kind, Accepts accepts) {
  GzReader reader(path);
  IdxArray idx = readHeader(reader, kind, accepts);
  uint64_t elements = 1;
  for (int64_t dim : idx.dims) {
    if (dim != 0 && elements > kMaxElements / dim)
      throw Error(path + ": IDX dimensions are too large");
    elements *= dim;
  }
  uint64_t bytes = elements * (idx.type == kFloat32 ? 4 : 1);
  reader.readAppend(idx.data, bytes);
  if (idx.data.size() < bytes)
    throw Error(path + ": truncated IDX file: expected " + std::to_string(bytes) +
                " bytes of data, got " + std::to_string(idx.data.size()));
  if (!reader.atEnd())
    throw Error(path + ": unexpected data after the " + std::to_string(bytes) +
                " bytes the IDX header declares");
  return idx;
}

} // namespace

std::vector<int64_t> idxSampleShape(const std::string &path) {
  GzReader reader(path);
  std::vector<int64_t> dims = readHeader(reader, "image", isImageMagic).dims;
  return std::vector<int64_t>(dims.begin() + 1, dims.end());
}

ImageSet readIdxPair(const std::string &imagesPath, const std::string &labelsPath) {
  IdxArray images = readIdx(imagesPath, "image", isImageMagic);
  IdxArray labels =
      readIdx(labelsPath, "label", [](uint32_t magic) { return magic == kLabelMagic; });
  if (images.dims[0] != labels.dims[0])
    throw Error(imagesPath + ": has " + std::to_string(images.dims[0]) + " images but " +
                labelsPath + " has " + std::to_string(labels.dims[0]) + " labels");
  ImageSet set;
  set.count = images.dims[0];
  set.shape.assign(images.dims.begin() + 1, images.dims.end());
  if (images.type == kFloat32) {
    set.pixels.resize(images.data.size() / 4);
    for (size_t i = 0; i < set.pixels.size(); ++i) {
      uint32_t bits = bigEndian32(images.data.data() + 4 * i);
      std::memcpy(&set.pixels[i], &bits, 4);
    }
  } else {
    set.pixels.reserve(images.data.size());
    for (uint8_t byte : images.data)
      set.pixels.push_back(byte / 255.0f);
  }
  set.labels.assign(labels.data.begin(), labels.data.end());
  return set;
}

} // namespace marthe::rt
