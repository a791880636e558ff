// The report as one self-contained HTML page: header, tables and the three charts.
#pragma once

#include <string>

#include <switchyard/report.hpp>

namespace switchyard::report_tool {

struct PageOptions {
  std::string title;   // the page's heading and <title>
  std::string source;  // the report's file name, for the subtitle
};

// html_page() renders the report: the run (policy, uptime, machine, counters, calibration),
// a table of kinds, the time breakdown, placement and latency charts, the moves and the
// executors. Inline CSS and SVG only, plus the self-check script; no external URL.
std::string html_page(const Report& report, const PageOptions& options);

}  // namespace switchyard::report_tool
