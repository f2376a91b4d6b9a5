#include "runtime/Metrics.h"

#include "runtime/Error.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <unistd.h>

namespace marthe::rt {
namespace {

void appendNumber(std::string &line, double value) {
  if (std::isnan(value)) {
    line += "nan";
    return;
  }
  if (std::isinf(value)) {
    line += value > 0 ? "inf" : "-inf";
    return;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  line += text;
}

std::string csvField(const std::string &text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos)
    return text;
  std::string quoted = "\"";
  for (char c : text)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string systemError(const std::string &path, const std::string &what,
                        int errorNumber) {
  return path + ": " + what + ": " + std::strerror(errorNumber);
}

} // namespace

CsvWriter::CsvWriter(const std::string &path)
    : path_(path), file_(std::fopen(path.c_str(), "w"), &std::fclose) {
  if (!file_)
    throw Error(systemError(path, "cannot open for writing", errno));
}

void CsvWriter::header(const std::vector<std::string> &columns) {
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i)
    line += (i ? "," : "") + csvField(columns[i]);
  writeLine(line);
  columnCount_ = columns.size();
}

void CsvWriter::row(const double *values, size_t count) {
  if (columnCount_ != 0 && count != columnCount_)
    throw Error(path_ + ": row has " + std::to_string(count) + " values but the header has " +
                std::to_string(columnCount_) + " columns");
  line_.clear();
  for (size_t i = 0; i < count; ++i) {
    if (i)
      line_ += ',';
    appendNumber(line_, values[i]);
  }
  writeLine(line_);
}

void CsvWriter::writeLine(const std::string &line) {
  if (std::fputs(line.c_str(), file_.get()) == EOF || std::fputc('\n', file_.get()) == EOF ||
      std::fflush(file_.get()) != 0)
    throw Error(systemError(path_, "write failed", errno));
}

void writeFileAtomically(const std::string &path, const std::string &bytes) {
  std::string tmpPath = path + ".tmp";
  std::FILE *file = std::fopen(tmpPath.c_str(), "wb");
  if (!file)
    throw Error(systemError(path, "cannot open " + tmpPath + " for writing",
                            errno));
  // fsync before rename: otherwise a crash may leave path renamed but empty.
  bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) ==
                     bytes.size() &&
                 std::fflush(file) == 0 && ::fsync(fileno(file)) == 0;
  int writeErrno = errno;
  if (std::fclose(file) != 0 && written) {
    written = false;
    writeErrno = errno;
  }
  if (!written) {
    std::remove(tmpPath.c_str());
    throw Error(systemError(path, "cannot write " + tmpPath, writeErrno));
  }
  if (std::rename(tmpPath.c_str(), path.c_str()) != 0) {
    int renameErrno = errno;
    std::remove(tmpPath.c_str());
    throw Error(systemError(path, "cannot rename " + tmpPath, renameErrno));
  }
}

void writeJsonAtomically(const std::string &path, const nlohmann::json &value) {
  writeFileAtomically(path, value.dump(2) + "\n");
}

void ensureDirectory(const std::string &path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error)
    throw Error(path + ": cannot create directory: " + error.message());
  // Some standard libraries report no error when a file already has the name.
  if (!std::filesystem::is_directory(path))
    throw Error(path + ": cannot create directory: a file is in the way");
}

} // namespace marthe::rt
