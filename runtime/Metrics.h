#pragma once

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace marthe::rt {

// One metrics.csv row (README, "metrics.csv"): row t holds the schedule in
// effect during step t (eta, mu, beta, c, beta_step), then what step t
// computed (hypergradient, g1, losses, the optimizer's d) and the wall time
// at its end.
enum MetricsColumn : size_t {
  kStep, kLoss, kValLoss, kValAcc, kEta, kMu, kBeta, kC, kBetaStep, kHypergrad, kG1, kD,
  kSeconds, kMetricsColumns
};
using MetricsRow = std::array<double, kMetricsColumns>;
/// The header names, in MetricsColumn order.
const std::vector<std::string> &metricsColumnNames();

// A CSV file written row by row; every row is flushed so progress survives a
// crash of the process. Its header and first rows are written atomically.
class CsvWriter {
public:
  /// Writes the header and `rows` to `path` (replacing it atomically), then
  /// appends.
  CsvWriter(const std::string &path, const std::vector<std::string> &columns,
            const std::vector<MetricsRow> &rows = {});

  /// Replaces the file's rows with `rows` atomically (a rollback).
  void reset(const std::vector<MetricsRow> &rows);
  // Numbers are written with the fewest digits (15 to 17) that read back as
  // the same double;
  // NaN and infinities as nan, inf, -inf. Rows are formatted in a buffer the
  // writer keeps, so a row allocates nothing.
  void row(const double *values, size_t count);
  void row(const std::vector<double> &values) { row(values.data(), values.size()); }

private:
  void format(const double *values, size_t count);
  void writeLine(const std::string &line);
  std::string line_;
  std::string headerLine_;

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
