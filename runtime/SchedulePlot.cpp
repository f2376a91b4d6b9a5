#include "runtime/SchedulePlot.h"

#include "runtime/Metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace marthe::rt {
namespace {

constexpr double kWidth = 760, kPanelHeight = 170, kLeft = 80, kRight = 20, kTop = 30,
                 kGap = 42, kTickLength = 4;
/// A panel whose positive values span this factor or more is drawn on a log scale.
constexpr double kLogSpan = 100;
const char *const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

/// Round tick values (1, 2 or 5 times a power of ten apart), about `count`
/// of them, within [low, high].
std::vector<double> linearTicks(double low, double high, int count) {
  double raw = (high - low) / count;
  double power = std::pow(10, std::floor(std::log10(raw)));
  double step = power * (raw / power < 1.5 ? 1 : raw / power < 3.5 ? 2 : raw / power < 7.5 ? 5 : 10);
  std::vector<double> ticks;
  for (double tick = std::ceil(low / step) * step; tick <= high + step * 1e-9; tick += step)
    ticks.push_back(std::abs(tick) < step * 1e-9 ? 0 : tick);
  return ticks;
}

/// Powers of ten within [low, high], with 2x and 5x where few decades show.
std::vector<double> logTicks(double low, double high) {
  int first = int(std::floor(std::log10(low))), last = int(std::ceil(std::log10(high)));
  std::vector<double> multiples = last - first <= 3 ? std::vector<double>{1, 2, 5}
                                                    : std::vector<double>{1};
  std::vector<double> ticks;
  for (int decade = first; decade <= last; ++decade)
    for (double m : multiples)
      if (double tick = m * std::pow(10, decade); tick >= low * (1 - 1e-9) && tick <= high * (1 + 1e-9))
        ticks.push_back(tick);
  return ticks;
}

/// A value axis: the range of a panel's finite values, linear or log.
struct Axis {
  double low = INFINITY, high = -INFINITY;
  bool log = false;

  static Axis of(const std::vector<Series> &series) {
    Axis axis;
    for (const Series &s : series)
      for (double v : s.values)
        if (std::isfinite(v))
          axis.low = std::min(axis.low, v), axis.high = std::max(axis.high, v);
    axis.log = axis.low > 0 && axis.high / axis.low >= kLogSpan;
    if (axis.high == axis.low) {
      double pad = axis.low == 0 ? 1 : std::abs(axis.low) * 0.05;
      axis.low -= pad, axis.high += pad;
    }
    return axis;
  }
  bool empty() const { return !std::isfinite(low); }
  bool shows(double v) const { return std::isfinite(v) && (!log || v > 0); }
  /// 0 at `low`, 1 at `high`.
  double fraction(double v) const {
    return log ? std::log(v / low) / std::log(high / low) : (v - low) / (high - low);
  }
  std::vector<double> ticks() const { return log ? logTicks(low, high) : linearTicks(low, high, 5); }
};

struct Frame {
  double top, width, height;
  size_t steps;
  double x(size_t t) const { return kLeft + width * double(t) / double(std::max<size_t>(steps - 1, 1)); }
};

void valueTicks(std::ostringstream &svg, const Frame &frame, const Axis &axis) {
  for (double tick : axis.ticks()) {
    double y = frame.top + frame.height * (1 - axis.fraction(tick));
    svg << "<line x1='" << kLeft << "' x2='" << kLeft + frame.width << "' y1='" << number(y)
        << "' y2='" << number(y) << "' stroke='#e4e4e4'/>\n<text x='" << kLeft - kTickLength - 2
        << "' y='" << number(y + 4) << "' text-anchor='end'>" << number(tick) << "</text>\n";
  }
}

void stepTicks(std::ostringstream &svg, const Frame &frame) {
  if (frame.steps < 2)
    return;
  for (double tick : linearTicks(0, double(frame.steps - 1), 8)) {
    double x = frame.x(size_t(tick));
    double bottom = frame.top + frame.height;
    svg << "<line x1='" << number(x) << "' x2='" << number(x) << "' y1='" << number(bottom)
        << "' y2='" << number(bottom + kTickLength) << "' stroke='#666'/>\n<text x='"
        << number(x) << "' y='" << number(bottom + kTickLength + 11)
        << "' text-anchor='middle'>" << number(tick) << "</text>\n";
  }
}

void panel(std::ostringstream &svg, const std::vector<Series> &series, double top) {
  Axis axis = Axis::of(series);
  size_t steps = 0;
  for (const Series &s : series)
    steps = std::max(steps, s.values.size());
  Frame frame{top, kWidth - kLeft - kRight, kPanelHeight - kGap, steps};
  valueTicks(svg, frame, axis);
  stepTicks(svg, frame);
  svg << "<rect x='" << kLeft << "' y='" << top << "' width='" << frame.width << "' height='"
      << frame.height << "' fill='none' stroke='#666'/>\n";
  double legendX = kLeft;
  for (size_t k = 0; k < series.size(); ++k) {
    const char *color = kColors[k % 4];
    std::string label = series[k].name + (axis.log && k == 0 ? " (log scale)" : "");
    svg << "<text x='" << number(legendX) << "' y='" << top - 5 << "' fill='" << color << "'>"
        << label << "</text>\n<polyline fill='none' stroke='" << color << "' points='";
    legendX += 7.0 * double(label.size()) + 24;
    for (size_t t = 0; t < series[k].values.size(); ++t)
      if (double v = series[k].values[t]; axis.shows(v))
        svg << number(frame.x(t)) << "," << number(top + frame.height * (1 - axis.fraction(v)))
            << " ";
    svg << "'/>\n";
  }
}

} // namespace

void writeSchedulePlot(const std::string &path, const std::string &title,
                       const std::vector<std::vector<Series>> &allPanels) {
  std::vector<std::vector<Series>> panels; // those with a value to draw
  for (const std::vector<Series> &panel : allPanels)
    if (!Axis::of(panel).empty())
      panels.push_back(panel);
  double height = kTop + kPanelHeight * panels.size() + 20;
  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << kWidth << "' height='" << height
      << "' font-family='sans-serif' font-size='11'>\n<rect width='100%' height='100%' "
         "fill='white'/>\n<text x='"
      << kLeft << "' y='14' font-size='13'>" << title << "</text>\n";
  for (size_t i = 0; i < panels.size(); ++i)
    panel(svg, panels[i], kTop + 10 + kPanelHeight * i);
  svg << "<text x='" << kWidth / 2 << "' y='" << height - 4
      << "' text-anchor='middle'>step</text>\n</svg>\n";
  writeFileAtomically(path, svg.str());
}

} // namespace marthe::rt
