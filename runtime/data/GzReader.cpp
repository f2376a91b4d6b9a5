#include "runtime/data/GzReader.h"

#include "runtime/Error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace marthe::rt {

GzReader::GzReader(const std::string &path)
    : path_(path), file_(gzopen(path.c_str(), "rb"), &gzclose) {
  if (!file_)
    throw Error(path + ": cannot open: " + std::strerror(errno));
}

void GzReader::readAppend(std::vector<uint8_t> &out, uint64_t wanted) {
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

void GzReader::readExactly(std::vector<uint8_t> &out, uint64_t size, const std::string &what) {
  size_t before = out.size();
  readAppend(out, size);
  if (out.size() - before < size)
    throw Error(path_ + ": truncated " + what + ": expected " + std::to_string(size) +
                " bytes, got " + std::to_string(out.size() - before));
}

bool GzReader::atEnd() {
  std::vector<uint8_t> probe;
  readAppend(probe, 1);
  return probe.empty();
}

std::string GzReader::errorText() {
  int code = 0;
  std::string text = gzerror(file_.get(), &code);
  if (code == Z_ERRNO)
    return std::strerror(errno);
  // zlib prefixes its messages with the path, which ours already start with.
  std::string prefix = path_ + ": ";
  return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : text;
}

} // namespace marthe::rt
