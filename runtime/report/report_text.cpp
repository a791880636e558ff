#include <switchyard/report_text.hpp>

#include <array>
#include <cmath>

#include <fmt/format.h>

namespace switchyard {

TimeUnit unit_for(double ns) noexcept {
  static constexpr std::array<TimeUnit, 4> kUnits = {
      {{"s", 1e9}, {"ms", 1e6}, {"µs", 1e3}, {"ns", 1}}};
  for (const TimeUnit& unit : kUnits) {
    if (std::fabs(ns) >= unit.ns) return unit;
  }
  return kUnits.back();
}

std::string decimal_text(double value, int digits) {
  std::string text = fmt::format("{:.{}f}", value, digits);
  if (text.find('.') != std::string::npos) {
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
  }
  return text == "-0" ? "0" : text;
}

std::string duration_text(double ns) {
  if (ns == 0) return "0";
  const TimeUnit unit = unit_for(ns);
  const double value = ns / unit.ns;
  const int digits = std::fabs(value) >= 100 ? 0 : std::fabs(value) >= 10 ? 1 : 2;
  return fmt::format("{} {}", decimal_text(value, digits), unit.symbol);
}

std::string duration_text(std::chrono::nanoseconds duration) {
  return duration_text(std::chrono::duration<double, std::nano>(duration).count());
}

std::string bytes_text(std::uint64_t size) {
  if (size >= (1u << 20) && size % (1u << 20) == 0) return fmt::format("{} MiB", size >> 20);
  if (size >= (1u << 10) && size % (1u << 10) == 0) return fmt::format("{} KiB", size >> 10);
  return fmt::format("{} B", size);
}

std::string figure_text(double value) {
  if (value >= 1e6) return fmt::format("{:.3e}", value);
  if (value >= 1000) return fmt::format("{:.0f}", value);
  return fmt::format("{:.4g}", value);
}

}  // namespace switchyard
