#include "runtime/Progress.h"

#include <cstdio>
#include <unistd.h>

namespace marthe::rt {

static double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Progress::Progress(int64_t first, int64_t total, bool quiet)
    : first_(first), total_(total), quiet_(quiet), terminal_(isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()), lastDraw_(start_) {}

Progress::~Progress() { clearBar(); }

std::string Progress::formatDuration(double seconds) {
  long long s = seconds < 0 ? 0 : (long long)(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
  return text;
}

std::string Progress::rateAndTimes(int64_t step) const {
  double elapsed = secondsSince(start_);
  int64_t done = step + 1 - first_;
  double rate = elapsed > 0 ? done / elapsed : 0;
  std::string eta = rate > 0 ? formatDuration((total_ - step - 1) / rate) : "?";
  char text[96];
  std::snprintf(text, sizeof text, "%.3g steps/s  elapsed %s  ETA %s", rate,
                formatDuration(elapsed).c_str(), eta.c_str());
  return text;
}

void Progress::drawBar(int64_t step, const std::string &line) {
  constexpr int kWidth = 24;
  int filled = total_ > 0 ? int(kWidth * (step + 1) / total_) : kWidth;
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r\033[K[%s] %s  %s", bar.c_str(), line.c_str(), rateAndTimes(step).c_str());
  std::fflush(stderr);
  barShown_ = true;
  lastDraw_ = std::chrono::steady_clock::now();
}

void Progress::stepDone(int64_t step, const std::string &line, bool logLine) {
  if (quiet_)
    return;
  if (!terminal_) {
    if (logLine) {
      std::fprintf(stderr, "%s  %s\n", line.c_str(), rateAndTimes(step).c_str());
      std::fflush(stderr);
    }
    return;
  }
  if (logLine) {
    clearBar();
    std::fprintf(stderr, "%s  %s\n", line.c_str(), rateAndTimes(step).c_str());
  }
  if (logLine || secondsSince(lastDraw_) >= 0.1 || step + 1 == total_)
    drawBar(step, line);
}

void Progress::clearBar() {
  if (!barShown_)
    return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  barShown_ = false;
}

} // namespace marthe::rt
