// switchyard-report: a run's JSON report (docs/report.md) as a self-contained HTML page with
// inline SVG charts, readable without the trace viewer.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>

#include <switchyard/detail/regular_file.hpp>
#include <switchyard/report.hpp>

#include "report/html_page.hpp"

namespace fs = std::filesystem;
namespace rt = switchyard::report_tool;

namespace {

// Exit statuses: bad arguments or input, and a page that could not be written.
constexpr int kBadInput = 2;
constexpr int kWriteFailed = 1;

// default_output() is the input with .html for .json, beside it.
fs::path default_output(const fs::path& input) {
  fs::path output = input;
  return output.replace_extension(".html");
}

// read_text() is the file's contents, or nullopt after saying on stderr why it cannot be read.
// It reads only a regular file (a FIFO would block), and stops past Report::kMaxJsonBytes,
// which from_json() would refuse anyway, so that /dev/zero or a file of 50 GB are not read
// whole first.
std::optional<std::string> read_text(const fs::path& path) {
  switchyard::detail::FileText read =
      switchyard::detail::read_regular_file(path, switchyard::Report::kMaxJsonBytes);
  if (!read.problem) return std::move(read.text);
  fmt::print(stderr, "switchyard-report: {}: {}\n", path.string(), read.problem->what());
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "Writes a Switchyard run report (JSON, docs/report.md) as a self-contained HTML "
      "page with charts.",
      "switchyard-report");
  std::string input;
  std::string output;
  std::string title;
  app.add_option("REPORT.json", input, "the report the runtime wrote (SWITCHYARD_REPORT=...)")
      ->required()
      ->type_name("");
  app.add_option("-o,--output", output, "the page to write (default: REPORT.html beside it)")
      ->type_name("OUT.html");
  app.add_option("--title", title, "the page's heading (default: the report's file name)")
      ->type_name("TEXT");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    fmt::print("{}", app.help());
    return 0;
  } catch (const CLI::ParseError& error) {
    fmt::print(stderr, "switchyard-report: {}\n(see switchyard-report --help)\n", error.what());
    return kBadInput;
  }

  const std::optional<std::string> text = read_text(input);
  if (!text) return kBadInput;
  switchyard::Report report;
  try {
    report = switchyard::Report::from_json(*text);
  } catch (const switchyard::ReportFormatError& error) {
    fmt::print(stderr, "switchyard-report: {}: {}\n", input, error.what());
    return kBadInput;
  }
  const fs::path page_path = output.empty() ? default_output(input) : fs::path(output);
  const std::string source = fs::path(input).filename().string();
  const std::string page = rt::html_page(
      report, {title.empty() ? fmt::format("Switchyard report: {}", source) : title, source});

  std::ofstream file(page_path, std::ios::binary | std::ios::trunc);
  if (file) file << page;
  if (file) file.close();
  if (!file) {
    fmt::print(stderr, "switchyard-report: {}: cannot write: {}\n", page_path.string(),
               std::strerror(errno));
    return kWriteFailed;
  }
  return 0;
}
