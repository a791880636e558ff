#include "report/placement_chart.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <vector>

#include "report/axis.hpp"
#include "report/chart_parts.hpp"
#include "report/palette.hpp"
#include "report/svg.hpp"
#include "report/text.hpp"

namespace switchyard::report_tool {

namespace {

constexpr double kRowHeight = 26;
constexpr double kBarHeight = 14;
constexpr double kMarkerRadius = 6;

// Segment is a stretch of the run during which a kind's new tasks went to one placement.
struct Segment {
  double from_ns;
  double to_ns;
  Placement placement;
};

// segments() follows the history: the first move's `from` is where the kind started; without
// moves, it has been at its current placement all along.
std::vector<Segment> segments(const Report::KindReport& kind, double end_ns) {
  std::vector<Segment> result;
  Placement placement = kind.history.empty() ? kind.placement : kind.history[0].from;
  double start = nanoseconds_of(kind.first_seen);
  for (const Report::PlacementChange& move : kind.history) {
    const double at = std::max(nanoseconds_of(move.at), start);
    result.push_back({start, at, placement});
    placement = move.to;
    start = at;
  }
  result.push_back({start, std::max(end_ns, start), placement});
  return result;
}

std::string move_text(const Report::KindReport& kind, const Report::PlacementChange& move) {
  const std::string figures = move.has_figures() ? fmt::format("\nmeasured {}, threshold {}",
                                                               decimal_text(move.measured, 3),
                                                               decimal_text(move.threshold, 3))
                                                 : std::string();
  return fmt::format("{} at {}: {} → {}\nrule: {}{}", kind.name, duration_text(move.at),
                     to_string(move.from), to_string(move.to), move.rule, figures);
}

// legend_items() lists the four placements.
std::vector<LegendItem> legend_items() {
  std::vector<LegendItem> items;
  for (const Placement placement : all_placements) {
    items.push_back({to_string(placement), placement_colour(placement)});
  }
  return items;
}

}  // namespace

std::string placement_chart(const Report& report) {
  // The run's span: its uptime, or later if a kind's times say so.
  double span = nanoseconds_of(report.uptime);
  for (const Report::KindReport& kind : report.kinds) {
    span = std::max(span, nanoseconds_of(kind.first_seen));
    for (const Report::PlacementChange& move : kind.history) {
      span = std::max(span, nanoseconds_of(move.at));
    }
  }
  const auto x = [&](double ns) { return kPlotLeft + (span > 0 ? ns / span : 0) * kPlotWidth; };

  SvgWriter svg;
  legend(svg, legend_items());
  const double rows = static_cast<double>(std::max<std::size_t>(report.kinds.size(), 1));
  const double axis = kTop + rows * kRowHeight;
  for (const Tick& tick : time_ticks(span)) {
    svg.line(x(tick.ns), kTop - 6, x(tick.ns), axis, kGrid);
    svg.text(x(tick.ns), axis + 16, tick.label, SvgWriter::Anchor::middle, "small");
  }
  if (report.kinds.empty()) no_kinds(svg, kTop, kBarHeight);
  for (std::size_t i = 0; i < report.kinds.size(); ++i) {
    const Report::KindReport& kind = report.kinds[i];
    const double top = kTop + static_cast<double>(i) * kRowHeight;
    const double middle = top + kBarHeight / 2;
    kind_label(svg, kind, middle + 4);
    svg.line(x(0), middle, x(span), middle, kGrid);
    for (const Segment& segment : segments(kind, span)) {
      svg.rect(x(segment.from_ns), top, x(segment.to_ns) - x(segment.from_ns), kBarHeight,
               placement_colour(segment.placement),
               fmt::format("{}: {} from {} to {}", kind.name, to_string(segment.placement),
                           duration_text(segment.from_ns), duration_text(segment.to_ns)));
    }
    for (const Report::PlacementChange& move : kind.history) {
      svg.diamond(x(nanoseconds_of(move.at)), middle, kMarkerRadius, "#ffffff",
                  move_text(kind, move));
    }
  }
  svg.line(kPlotLeft, axis, kPlotLeft + kPlotWidth, axis, kInk);
  svg.text(kPlotLeft + kPlotWidth, axis + 34,
           "time since the runtime started; ◆ a move (hover it for the rule and figures)",
           SvgWriter::Anchor::end, "small");
  return svg.svg("chart-placement", "Placement over time per kind", kWidth, axis + 44);
}

}  // namespace switchyard::report_tool
