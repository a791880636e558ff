#include "report/breakdown_chart.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>

#include "report/chart_parts.hpp"
#include "report/palette.hpp"
#include "report/svg.hpp"
#include "report/text.hpp"

namespace switchyard::report_tool {

namespace {

constexpr double kRowHeight = 28;
constexpr double kBarHeight = 18;
// kMinLabelWidth is the narrowest segment that still shows its percentage inside.
constexpr double kMinLabelWidth = 38;

// bar() stacks one kind's shares; shares that add up to more than 1 (rounding in the report)
// are scaled down to fit.
void bar(SvgWriter& svg, const Report::KindReport& kind, double top) {
  std::array<double, kShares.size()> shares = {kind.cpu_share, kind.blocked_share, kind.wait_share,
                                               kind.join_share, kind.queued_share};
  double total = 0;
  for (double& share : shares) {
    share = std::clamp(share, 0.0, 1.0);
    total += share;
  }
  if (kind.measured == 0 || total == 0) {
    svg.outline(kPlotLeft, top, kPlotWidth, kBarHeight);
    svg.text(kPlotLeft + 8, top + 13, "no measured tasks", SvgWriter::Anchor::start, "note");
    return;
  }
  const double scale = total > 1 ? 1 / total : 1;
  double x = kPlotLeft;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    const double width = shares[i] * scale * kPlotWidth;
    if (width <= 0) continue;
    const std::string percent = percent_text(shares[i]);
    svg.rect(x, top, width, kBarHeight, kShares[i].colour,
             fmt::format("{}: {} of wall time {}", kind.name, percent, kShares[i].label));
    if (width >= kMinLabelWidth) {
      svg.text(x + width / 2, top + 13, percent, SvgWriter::Anchor::middle, "inbar");
    }
    x += width;
  }
}

}  // namespace

std::string breakdown_chart(const std::vector<Report::KindReport>& kinds) {
  SvgWriter svg;
  std::vector<LegendItem> items;
  for (const Swatch& swatch : kShares) items.push_back({swatch.label, swatch.colour});
  legend(svg, items);

  const double rows = static_cast<double>(std::max<std::size_t>(kinds.size(), 1));
  const double axis = kTop + rows * kRowHeight;
  for (int percent = 0; percent <= 100; percent += 25) {
    const double x = kPlotLeft + kPlotWidth * percent / 100;
    svg.line(x, kTop - 6, x, axis, kGrid);
    svg.text(x, axis + 16, fmt::format("{}%", percent), SvgWriter::Anchor::middle, "small");
  }
  if (kinds.empty()) no_kinds(svg, kTop, kBarHeight);
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const double top = kTop + static_cast<double>(i) * kRowHeight;
    kind_label(svg, kinds[i], top + 13);
    bar(svg, kinds[i], top);
  }
  svg.line(kPlotLeft, axis, kPlotLeft + kPlotWidth, axis, kInk);
  svg.text(kPlotLeft + kPlotWidth, axis + 34, "share of the tasks' wall time",
           SvgWriter::Anchor::end, "small");
  return svg.svg("chart-breakdown", "Time breakdown per kind", kWidth, axis + 44);
}

}  // namespace switchyard::report_tool
