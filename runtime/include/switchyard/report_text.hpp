// Report text: how Switchyard writes durations and figures for people, in the report's table,
// on the report page and in the examples.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard {

// TimeUnit is one time unit: its symbol and its size in nanoseconds.
struct TimeUnit {
  std::string_view symbol;
  double ns;
};

// unit_for() is the unit duration_text() writes `ns` in: the largest of s, ms, µs and ns that
// keeps a digit before the point. Never blocks; any thread.
TimeUnit unit_for(double ns) noexcept;

// decimal_text() writes a number with at most `digits` decimals, trailing zeros dropped
// ("1.5", "2", "0.25").
std::string decimal_text(double value, int digits);

// duration_text() writes nanoseconds in the unit that keeps 1 to 3 digits before the point
// ("850 ns", "12.5 µs", "3.1 ms", "2.81 s"), with at most 3 significant digits: report
// durations are histogram bounds or means, good to a few percent.
std::string duration_text(double ns);
std::string duration_text(std::chrono::nanoseconds duration);

// bytes_text() writes a size in MiB or KiB when it is a whole number of them ("32 KiB"), else
// in bytes.
std::string bytes_text(std::uint64_t size);

// figure_text() writes a calibration figure with 4 significant digits ("283.4", "15260",
// "2.340e+06").
std::string figure_text(double value);

}  // namespace switchyard
