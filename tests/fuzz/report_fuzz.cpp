// Report::from_json, over any text. A text is either refused with ReportFormatError, or read
// into a Report whose JSON reads back as the same JSON.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <switchyard/report.hpp>

#include "require.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using switchyard::Report;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<Report> report;
  try {
    report = Report::from_json(text);
  } catch (const switchyard::ReportFormatError&) {
    return 0;
  }
  const std::string once = report->to_json();
  try {
    switchyard::fuzz::require(Report::from_json(once).to_json() == once,
                              "a report's JSON does not read back as the same JSON");
  } catch (const switchyard::ReportFormatError& e) {
    std::fprintf(stderr, "fuzz property broken: a report's own JSON is refused: %s\n", e.what());
    std::abort();
  }
  return 0;
}
