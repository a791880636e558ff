// Axis ticks for the charts' time axes, labelled with units (ns, µs, ms, s).
#pragma once

#include <string>
#include <vector>

namespace switchyard::report_tool {

struct Tick {
  double ns;
  std::string label;
};

// time_ticks() divides 0..span_ns into 3 to 8 round steps (1, 2 or 5 times a power of ten),
// all labelled in the unit of the largest. A span of 0 has the one tick "0".
std::vector<Tick> time_ticks(double span_ns);

// decade_ticks() puts a tick at every power of ten from 10^first to 10^last ns.
std::vector<Tick> decade_ticks(int first, int last);

}  // namespace switchyard::report_tool
