#include "runtime/Metrics.h"

#include "runtime/Error.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstdlib>
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
  // The shortest of %.15g, %.16g, %.17g that reads back as the same double.
  char text[32];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value)
      break;
  }
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

const std::vector<std::string> &metricsColumnNames() {
  static const std::vector<std::string> names{
      "step", "loss", "val_loss", "val_acc", "eta",  "mu",
      "beta", "c",    "beta_step", "hypergrad", "g1", "d", "seconds"};
  return names;
}

CsvWriter::CsvWriter(const std::string &path, const std::vector<std::string> &columns,
                     const std::vector<MetricsRow> &rows)
    : path_(path), file_(nullptr, &std::fclose), columnCount_(columns.size()) {
  for (size_t i = 0; i < columns.size(); ++i)
    headerLine_ += (i ? "," : "") + csvField(columns[i]);
  reset(rows);
}

void CsvWriter::reset(const std::vector<MetricsRow> &rows) {
  file_.reset();
  std::string text = headerLine_ + "\n";
  for (const MetricsRow &row : rows) {
    format(row.data(), row.size());
    text += line_ + "\n";
  }
  writeFileAtomically(path_, text);
  file_.reset(std::fopen(path_.c_str(), "a"));
  if (!file_)
    throw Error(systemError(path_, "cannot open for appending", errno));
}

void CsvWriter::format(const double *values, size_t count) {
  if (count != columnCount_)
    throw Error(path_ + ": row has " + std::to_string(count) + " values but the header has " +
                std::to_string(columnCount_) + " columns");
  line_.clear();
  for (size_t i = 0; i < count; ++i) {
    if (i)
      line_ += ',';
    appendNumber(line_, values[i]);
  }
}

void CsvWriter::row(const double *values, size_t count) {
  format(values, count);
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
