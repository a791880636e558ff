#include "report/text.hpp"

#include <fmt/core.h>

#include <array>
#include <cmath>

namespace switchyard::report_tool {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Unit unit_for(double ns) {
  static constexpr std::array<Unit, 4> kUnits = {{{"s", 1e9}, {"ms", 1e6}, {"µs", 1e3}, {"ns", 1}}};
  for (const Unit& unit : kUnits) {
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
  const Unit unit = unit_for(ns);
  const double value = ns / unit.ns;
  const int digits = std::fabs(value) >= 100 ? 0 : std::fabs(value) >= 10 ? 1 : 2;
  return fmt::format("{} {}", decimal_text(value, digits), unit.symbol);
}

std::string duration_text(std::chrono::nanoseconds duration) {
  return duration_text(nanoseconds_of(duration));
}

std::string count_text(std::uint64_t count) {
  const std::string digits = std::to_string(count);
  std::string text;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return text;
}

std::string percent_text(double share) {
  if (share > 0 && share < 0.001) return "<0.1%";
  return decimal_text(share * 100, 1) + "%";
}

}  // namespace switchyard::report_tool
