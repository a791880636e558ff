#include "report/chart_parts.hpp"

#include <string>
#include <string_view>

namespace switchyard::report_tool {

namespace {

// kCharWidth is a 12 px sans-serif character's width, near enough to space the legend.
constexpr double kCharWidth = 7;
constexpr std::size_t kLabelCharacters = 26;

}  // namespace

void legend(SvgWriter& svg, const std::vector<LegendItem>& items) {
  double x = kPlotLeft;
  for (const LegendItem& item : items) {
    svg.rect(x, 10, 12, 12, item.colour);
    svg.text(x + 17, 20.5, item.label);
    x += 17 + static_cast<double>(item.label.size()) * kCharWidth + 22;
  }
}

void kind_label(SvgWriter& svg, const Report::KindReport& kind, double baseline) {
  constexpr std::string_view kPinned = " (pinned)";
  const std::string shown =
      kind.pinned ? shorten(kind.name, kLabelCharacters - kPinned.size()) + std::string(kPinned)
                  : shorten(kind.name, kLabelCharacters);
  svg.text(kPlotLeft - 10, baseline, shown, SvgWriter::Anchor::end, "label", kind.name);
}

void no_kinds(SvgWriter& svg, double top, double height) {
  svg.outline(kPlotLeft, top, kPlotWidth, height);
  svg.text(kPlotLeft + kPlotWidth / 2, top + height / 2 + 4, "no task kinds in this report",
           SvgWriter::Anchor::middle, "note");
}

}  // namespace switchyard::report_tool
