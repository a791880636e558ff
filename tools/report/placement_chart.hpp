// The placement chart: per kind, where its new tasks went over the run, and each move.
#pragma once

#include <string>

#include <switchyard/report.hpp>

namespace switchyard::report_tool {

// placement_chart() is an <svg> with one row per kind from its first task to the end of the
// run, coloured by placement, a marker at each move (its tooltip gives the rule and the
// figures), and a time axis.
std::string placement_chart(const Report& report);

}  // namespace switchyard::report_tool
