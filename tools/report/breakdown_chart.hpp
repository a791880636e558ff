// The time breakdown chart: per kind, a horizontal bar of where its tasks' wall time went.
#pragma once

#include <string>
#include <vector>

#include <switchyard/report.hpp>

namespace switchyard::report_tool {

// breakdown_chart() is an <svg> with one bar per kind, stacking the shares of wall time (CPU,
// blocked, waiting, queued) over 0..100%, with a legend and a percentage axis.
std::string breakdown_chart(const std::vector<Report::KindReport>& kinds);

}  // namespace switchyard::report_tool
