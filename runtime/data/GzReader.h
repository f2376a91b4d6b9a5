#pragma once

// Reading a data file, gzip-compressed or not (gzread reads both).

#include <zlib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace marthe::rt {

class GzReader {
public:
  explicit GzReader(const std::string &path);

  /// Reads up to `wanted` bytes, appending to `out`; fewer only at end of file.
  void readAppend(std::vector<uint8_t> &out, uint64_t wanted);
  /// Appends exactly `size` bytes, or throws an Error saying `what` is short.
  void readExactly(std::vector<uint8_t> &out, uint64_t size, const std::string &what);
  bool atEnd();
  const std::string &path() const { return path_; }

private:
  std::string errorText();

  std::string path_;
  std::unique_ptr<gzFile_s, decltype(&gzclose)> file_;
};

} // namespace marthe::rt
