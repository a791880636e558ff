#include "config_text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <sstream>

namespace switchyard::detail {

namespace {

bool is_bare_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// render_inline() writes a value as TOML on one line. Arrays and inline tables are written
// here, element by element, not by toml++'s formatter: it measures a float's width with
// log10 cast to an integer, undefined for nan and inf. Their depth is toml++'s nesting limit.
std::string render_inline(const toml::node& node) {
  if (const auto value = node.value_exact<double>()) {
    std::string text = number_text(*value);
    if (std::isfinite(*value) && text.find_first_of(".e") == std::string::npos) text += ".0";
    return text;
  }
  if (const toml::array* array = node.as_array()) {
    std::string text = "[";
    for (const toml::node& element : *array) {
      if (text.size() > 1) text += ", ";
      text += render_inline(element);
    }
    return text + "]";
  }
  if (const toml::table* table = node.as_table()) {
    std::string text = "{";
    for (const auto& [key, value] : *table) {
      text += text.size() > 1 ? ", " : " ";
      text += key_segment(key.str());
      text += " = ";
      text += render_inline(value);
    }
    return text + (text.size() > 1 ? " }" : "}");
  }
  std::ostringstream out;
  out << toml::toml_formatter{node, toml::format_flags::none};
  return out.str();
}

}  // namespace

std::string_view type_phrase(toml::node_type type) {
  switch (type) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "an unknown type";
}

std::string number_text(double value) {
  if (std::isnan(value)) return "nan";
  char buffer[32];
  const auto result = std::to_chars(std::begin(buffer), std::end(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string render(const toml::node& node) {
  if (node.is_table()) return {};
  return render_inline(node);
}

std::string key_segment(std::string_view key) {
  if (is_bare_key(key)) return std::string(key);
  std::string quoted = "\"";
  for (char c : key) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + '"';
}

}  // namespace switchyard::detail
