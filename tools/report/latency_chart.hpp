// The latency chart: per kind, the distribution of its tasks' wall time on a log axis.
#pragma once

#include <string>
#include <vector>

#include <switchyard/report.hpp>

namespace switchyard::report_tool {

// latency_chart() is an <svg> with one row per kind: its wall-time histogram re-binned onto a
// log time axis shared by all kinds (latency_bins.hpp), each row scaled to its tallest bin,
// with lines at p50 and p99.
std::string latency_chart(const std::vector<Report::KindReport>& kinds);

}  // namespace switchyard::report_tool
