#include "report/axis.hpp"

#include <fmt/core.h>

#include <cmath>

#include "report/text.hpp"

namespace switchyard::report_tool {

std::vector<Tick> time_ticks(double span_ns) {
  if (!(span_ns > 0)) return {{0, "0"}};
  const double raw = span_ns / 8;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double normalized = raw / magnitude;
  const double step = magnitude * (normalized <= 1   ? 1
                                   : normalized <= 2 ? 2
                                   : normalized <= 5 ? 5
                                                     : 10);
  const int steps = static_cast<int>(std::floor(span_ns / step * (1 + 1e-9)));
  const TimeUnit unit = unit_for(steps * step);
  std::vector<Tick> ticks;
  for (int i = 0; i <= steps; ++i) {
    const double ns = i * step;
    ticks.push_back(
        {ns, i == 0 ? "0" : fmt::format("{} {}", decimal_text(ns / unit.ns, 3), unit.symbol)});
  }
  return ticks;
}

std::vector<Tick> decade_ticks(int first, int last) {
  std::vector<Tick> ticks;
  for (int decade = first; decade <= last; ++decade) {
    const double ns = std::pow(10.0, decade);
    ticks.push_back({ns, duration_text(ns)});
  }
  return ticks;
}

}  // namespace switchyard::report_tool
