#pragma once

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace marthe::rt {

// One metrics.csv row: step, loss, val_loss, val_acc, eta, mu, beta, hypergrad, g1.
constexpr size_t kMetricsColumns = 9;
using MetricsRow = std::array<double, kMetricsColumns>;

// A CSV file written row by row; every row is flushed so progress survives a
// crash of the process.
class CsvWriter {
public:
  explicit CsvWriter(const std::string &path);

  void header(const std::vector<std::string> &columns);
  // Numbers are written with %.9g; NaN and infinities as nan, inf, -inf.
  // Rows are formatted in a buffer the writer keeps, so a row allocates nothing.
  void row(const double *values, size_t count);
  void row(const std::vector<double> &values) { row(values.data(), values.size()); }

private:
  void writeLine(const std::string &line);
  std::string line_;

  std::string path_;
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> file_;
  size_t columnCount_ = 0; // 0 until a header is written
};

// Writes path + ".tmp" and renames it over path, so path is either absent,
// the previous content or the complete new content.
void writeFileAtomically(const std::string &path, const std::string &bytes);
void writeJsonAtomically(const std::string &path, const nlohmann::json &value);

// Creates path and its missing parents (mkdir -p).
void ensureDirectory(const std::string &path);

} // namespace marthe::rt
