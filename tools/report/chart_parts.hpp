// What the three charts share: their width, the column of kind names on the left, and the
// legend along the top.
#pragma once

#include <string_view>
#include <vector>

#include <switchyard/report.hpp>

#include "report/svg.hpp"

namespace switchyard::report_tool {

// Every chart is kWidth wide, kind names in the first kLabelWidth, the plot after them.
inline constexpr double kWidth = 960;
inline constexpr double kLabelWidth = 210;
inline constexpr double kPlotLeft = kLabelWidth;
inline constexpr double kPlotWidth = kWidth - kLabelWidth - 30;
// kTop is where the first row starts, below the legend.
inline constexpr double kTop = 44;

struct LegendItem {
  std::string_view label;
  std::string_view colour;
};

// legend() draws coloured squares and their labels in one line from the plot's left edge.
void legend(SvgWriter& svg, const std::vector<LegendItem>& items);

// kind_label() writes a kind's name right-aligned before the plot, cut to fit (the full name
// in its tooltip), with "(pinned)" after a pinned one.
void kind_label(SvgWriter& svg, const Report::KindReport& kind, double baseline);

// no_kinds() fills a chart's only row when the report has no kinds.
void no_kinds(SvgWriter& svg, double top, double height);

}  // namespace switchyard::report_tool
