// Text for the page: HTML escaping, and the number formats the tables and charts share.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::report_tool {

// escape() makes any text safe inside HTML and SVG elements and quoted attributes.
std::string escape(std::string_view text);

// duration_text() prints nanoseconds with the unit that keeps 1 to 3 digits before the point
// ("850 ns", "12.5 µs", "3.1 ms", "2.81 s"), with at most 3 significant digits.
std::string duration_text(double ns);
std::string duration_text(std::chrono::nanoseconds duration);

// nanoseconds_of() is a duration as a number of nanoseconds, for the charts' arithmetic.
inline double nanoseconds_of(std::chrono::nanoseconds duration) {
  return std::chrono::duration<double, std::nano>(duration).count();
}

// Unit is one time unit: its symbol and its size in nanoseconds.
struct Unit {
  std::string_view symbol;
  double ns;
};
// unit_for() is the unit duration_text() would use for `ns`.
Unit unit_for(double ns);

// decimal_text() prints a number with at most `digits` decimals, trailing zeros dropped
// ("1.5", "2", "0.25").
std::string decimal_text(double value, int digits);

// count_text() prints a count with thousands separators ("120,431").
std::string count_text(std::uint64_t count);

// percent_text() prints a share of 0..1 as a percentage ("12.3%", "0%", "<0.1%").
std::string percent_text(double share);

}  // namespace switchyard::report_tool
