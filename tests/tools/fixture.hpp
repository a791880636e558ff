// The hand-written report of tests/tools/data/report.json, which meson passes in
// REPORT_FIXTURE, as text and as JSON to modify.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace switchyard::test {

inline std::string fixture_path() {
  const char* path = std::getenv("REPORT_FIXTURE");
  INFO("REPORT_FIXTURE names tests/tools/data/report.json");
  REQUIRE(path != nullptr);
  return path;
}

inline std::string fixture_text() {
  std::ifstream file(fixture_path());
  REQUIRE(file);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// fixture_json() keeps the report's key order, so a modified copy still follows the schema.
inline nlohmann::ordered_json fixture_json() {
  return nlohmann::ordered_json::parse(fixture_text());
}

}  // namespace switchyard::test
