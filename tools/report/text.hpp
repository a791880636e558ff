// Text for the page: HTML escaping, and the number formats the tables and charts share beside
// the library's (switchyard/report_text.hpp: durations and decimals).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <switchyard/report_text.hpp>

namespace switchyard::report_tool {

// escape() makes any text safe inside HTML and SVG elements and quoted attributes.
std::string escape(std::string_view text);

// nanoseconds_of() is a duration as a number of nanoseconds, for the charts' arithmetic.
inline double nanoseconds_of(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double, std::nano>(duration).count();
}

// count_text() prints a count with thousands separators ("120,431").
std::string count_text(std::uint64_t count);

// percent_text() prints a share of 0..1 as a percentage ("12.3%", "0%", "<0.1%").
std::string percent_text(double share);

}  // namespace switchyard::report_tool
