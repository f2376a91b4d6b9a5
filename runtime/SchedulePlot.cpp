#include "runtime/SchedulePlot.h"

#include "runtime/Metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace marthe::rt {
namespace {

constexpr double kWidth = 720, kPanelHeight = 150, kLeft = 70, kRight = 20, kTop = 30,
                 kGap = 30;
const char *const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

void panel(std::ostringstream &svg, const std::vector<Series> &series, double top) {
  double low = INFINITY, high = -INFINITY;
  size_t steps = 0;
  for (const Series &s : series)
    for (double v : s.values)
      if (std::isfinite(v))
        low = std::min(low, v), high = std::max(high, v), steps = s.values.size();
  if (!std::isfinite(low))
    return;
  if (high == low)
    high = low + 1;
  double plotWidth = kWidth - kLeft - kRight, plotHeight = kPanelHeight - kGap;
  svg << "<rect x='" << kLeft << "' y='" << top << "' width='" << plotWidth << "' height='"
      << plotHeight << "' fill='none' stroke='#999'/>\n"
      << "<text x='" << kLeft - 5 << "' y='" << top + 10 << "' text-anchor='end'>"
      << number(high) << "</text>\n"
      << "<text x='" << kLeft - 5 << "' y='" << top + plotHeight << "' text-anchor='end'>"
      << number(low) << "</text>\n";
  for (size_t k = 0; k < series.size(); ++k) {
    const char *color = kColors[k % 4];
    svg << "<text x='" << kLeft + 5 + 110 * k << "' y='" << top - 4 << "' fill='" << color
        << "'>" << series[k].name << "</text>\n<polyline fill='none' stroke='" << color
        << "' points='";
    for (size_t t = 0; t < series[k].values.size(); ++t) {
      double v = series[k].values[t];
      if (!std::isfinite(v))
        continue;
      double x = kLeft + plotWidth * t / std::max<size_t>(steps - 1, 1);
      double y = top + plotHeight * (high - v) / (high - low);
      svg << number(x) << "," << number(y) << " ";
    }
    svg << "'/>\n";
  }
}

} // namespace

void writeSchedulePlot(const std::string &path, const std::string &title,
                       const std::vector<std::vector<Series>> &panels) {
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
