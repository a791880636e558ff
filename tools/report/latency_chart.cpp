#include "report/latency_chart.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "report/axis.hpp"
#include "report/chart_parts.hpp"
#include "report/latency_bins.hpp"
#include "report/palette.hpp"
#include "report/svg.hpp"
#include "report/text.hpp"

namespace switchyard::report_tool {

namespace {

constexpr double kRowHeight = 64;
constexpr double kBarsHeight = 50;  // the tallest bin's; the rest of a row separates it

// row() draws one kind's bars and percentile lines, between `top` and the row's baseline.
void row(SvgWriter& svg, const Report::KindReport& kind, const LogAxis& axis, double top) {
  const double base = top + kBarsHeight;
  const auto x = [&](double ns) { return kPlotLeft + axis.position(ns) * kPlotWidth; };
  const double p50 = nanoseconds_of(kind.wall_p50);
  const double p99 = nanoseconds_of(kind.wall_p99);
  kind_label(svg, kind, top + 20);
  svg.text(kPlotLeft - 10, top + 36,
           fmt::format("p50 {} · p99 {}", duration_text(p50), duration_text(p99)),
           SvgWriter::Anchor::end, "small");
  svg.line(kPlotLeft, base, kPlotLeft + kPlotWidth, base, kInk);
  const std::vector<std::uint64_t> bins = rebin(kind.wall_histogram, axis);
  std::uint64_t total = 0;
  std::uint64_t tallest = 0;
  for (const std::uint64_t count : bins) {
    total += count;
    tallest = std::max(tallest, count);
  }
  if (tallest == 0) {
    svg.text(kPlotLeft + 8, base - 8, "no measured tasks", SvgWriter::Anchor::start, "note");
    return;
  }
  for (int i = 0; i < axis.bins(); ++i) {
    const std::uint64_t count = bins[static_cast<std::size_t>(i)];
    if (count == 0) continue;
    const double share = static_cast<double>(count) / static_cast<double>(total);
    // At least 1 px, so that a bin of a few tasks beside a tall one still shows.
    const double height =
        std::max(1.0, static_cast<double>(count) / static_cast<double>(tallest) * kBarsHeight);
    const double left = x(axis.edge(i));
    svg.rect(left + 0.5, base - height, x(axis.edge(i + 1)) - left - 1, height, kHistogramColour,
             fmt::format("{}: {} to {}: {} tasks ({})", kind.name, duration_text(axis.edge(i)),
                         duration_text(axis.edge(i + 1)), count_text(count), percent_text(share)));
  }
  svg.line(x(p50), top, x(p50), base, kInk, false,
           fmt::format("{} p50: {}", kind.name, duration_text(p50)));
  svg.line(x(p99), top, x(p99), base, kInk, true,
           fmt::format("{} p99: {}", kind.name, duration_text(p99)));
}

}  // namespace

std::string latency_chart(const std::vector<Report::KindReport>& kinds) {
  const LogAxis axis = axis_for(kinds);
  SvgWriter svg;
  legend(svg, {{"tasks per bin (each row scaled to its tallest)", kHistogramColour}});
  const double legend_end = kPlotLeft + kPlotWidth;
  svg.line(legend_end - 190, 16, legend_end - 166, 16, kInk);
  svg.text(legend_end - 160, 20.5, "p50");
  svg.line(legend_end - 110, 16, legend_end - 86, 16, kInk, true);
  svg.text(legend_end - 80, 20.5, "p99");

  const double rows = static_cast<double>(std::max<std::size_t>(kinds.size(), 1));
  const double axis_y = kTop + rows * kRowHeight - (kRowHeight - kBarsHeight);
  for (const Tick& tick : decade_ticks(axis.first_decade, axis.last_decade)) {
    const double tick_x = kPlotLeft + axis.position(tick.ns) * kPlotWidth;
    svg.line(tick_x, kTop - 6, tick_x, axis_y, kGrid);
    svg.text(tick_x, axis_y + 16, tick.label, SvgWriter::Anchor::middle, "small");
  }
  if (kinds.empty()) no_kinds(svg, kTop, kBarsHeight);
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    row(svg, kinds[i], axis, kTop + static_cast<double>(i) * kRowHeight);
  }
  svg.text(kPlotLeft + kPlotWidth, axis_y + 34,
           fmt::format("task wall time, log scale ({} bins per decade)", LogAxis::kBinsPerDecade),
           SvgWriter::Anchor::end, "small");
  return svg.svg("chart-latency", "Latency distribution per kind", kWidth, axis_y + 44);
}

}  // namespace switchyard::report_tool
