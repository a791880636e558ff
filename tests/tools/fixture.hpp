// The hand-written report of tests/tools/data/report.json, which meson passes in
// REPORT_FIXTURE, as text and as JSON to modify; and reading the files the tools write.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <filesystem>
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

// read_text() is a file's whole text.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  REQUIRE(file);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// count() is how many times `what` occurs in `text`, overlaps included.
inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t found = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++found;
  return found;
}

inline std::string fixture_text() {
  return read_text(fixture_path());
}

// fixture_json() keeps the report's key order, so a modified copy still follows the schema.
inline nlohmann::ordered_json fixture_json() {
  return nlohmann::ordered_json::parse(fixture_text());
}

}  // namespace switchyard::test
