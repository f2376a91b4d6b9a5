#pragma once

// What a run shows while it trains: its rate, elapsed time and ETA. On a
// terminal a bar redrawn in place (at most 10 times a second); in a log
// (stderr not a terminal) one plain line per progress step.

#include <chrono>
#include <cstdint>
#include <string>

namespace marthe::rt {

class Progress {
public:
  /// Steps [first, total) remain; `quiet` shows nothing.
  Progress(int64_t first, int64_t total, bool quiet);
  ~Progress();

  /// Step `step` (0-based) is done; `line` describes it (loss, eta, ...)
  /// and is written as a log line when `logLine`, else only in the bar.
  void stepDone(int64_t step, const std::string &line, bool logLine);
  /// Ends the bar's line before other output.
  void clearBar();

  /// "1:02:03" or "2:03".
  static std::string formatDuration(double seconds);

private:
  std::string rateAndTimes(int64_t step) const;
  void drawBar(int64_t step, const std::string &line);

  int64_t first_, total_;
  bool quiet_, terminal_;
  bool barShown_ = false;
  std::chrono::steady_clock::time_point start_, lastDraw_;
};

} // namespace marthe::rt
