// Runs the built switchyard-report (SWITCHYARD_REPORT_TOOL) as a user would.
#include <sys/stat.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "../command_run.hpp"
#include "../temp_dir.hpp"
#include "fixture.hpp"

namespace sy = switchyard;
namespace test = switchyard::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using Catch::Matchers::StartsWith;

namespace {

// run_tool() runs switchyard-report with `arguments` (already shell-quoted) and waits for it,
// under `launcher` (a command that runs the rest, as timeout does) when there is one.
test::CommandRun run_tool(const std::string& arguments, const std::string& launcher = {}) {
  const char* tool = std::getenv("SWITCHYARD_REPORT_TOOL");
  INFO("SWITCHYARD_REPORT_TOOL names the built switchyard-report");
  REQUIRE(tool != nullptr);
  return test::run_command(fmt::format("{} '{}' {}", launcher, tool, arguments));
}

// shell_quoted() quotes a path for the shell (the tests' paths hold no quote).
std::string shell_quoted(const std::filesystem::path& path) {
  return fmt::format("'{}'", path.string());
}

// real_report() runs two kinds of tasks on a small runtime, one that computes and one that
// sleeps in a Switchyard wait, and returns its report as JSON.
std::string real_report() {
  sy::Config config;
  config.profiling.calibrate = false;
  config.profiling.report.clear();
  config.profiling.trace.clear();
  config.executors.shutdown_grace = 200ms;
  sy::Runtime runtime(config);
  std::vector<sy::Future<void>> futures;
  for (int i = 0; i < 20; ++i) {
    futures.push_back(runtime.spawn("crunch", [] {
      const auto until = std::chrono::steady_clock::now() + 200us;
      while (std::chrono::steady_clock::now() < until) {
      }
    }));
    futures.push_back(runtime.spawn("nap <io>", [] { sy::this_task::sleep_for(1ms); }));
  }
  for (sy::Future<void>& future : futures) future.get();
  return runtime.report().to_json();
}

}  // namespace

TEST_CASE("switchyard-report writes REPORT.html beside REPORT.json", "[cli]") {
  const test::TempDir dir("switchyard-report-test");
  const auto input = dir.write("run.json", test::fixture_text());
  const test::CommandRun run = run_tool(shell_quoted(input));
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(run.output.empty());
  const std::string page = test::read_text(dir.path() / "run.html");
  CHECK_THAT(page, StartsWith("<!DOCTYPE html>"));
  CHECK_THAT(page, Contains("<h1>Switchyard report: run.json</h1>"));
}

TEST_CASE("switchyard-report -o and --title", "[cli]") {
  const test::TempDir dir("switchyard-report-test");
  const auto output = dir.path() / "page.html";
  const test::CommandRun run = run_tool(shell_quoted(test::fixture_path()) + " -o " +
                                        shell_quoted(output) + " --title 'Nightly <run>'");
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK_THAT(test::read_text(output), Contains("<h1>Nightly &lt;run&gt;</h1>"));
}

TEST_CASE("switchyard-report refuses bad input with status 2, naming file and field", "[cli]") {
  const test::TempDir dir("switchyard-report-test");
  nlohmann::ordered_json report = test::fixture_json();
  SECTION("not JSON") {
    const auto input = dir.write("run.json", "schema: switchyard.report\n");
    const test::CommandRun run = run_tool(shell_quoted(input));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, StartsWith("switchyard-report: " + input.string() + ": not JSON: "));
  }
  SECTION("a number beyond double's range") {
    // Found by fuzzing: nlohmann refuses 1e400 with an out_of_range, not a parse_error.
    const auto input = dir.write("run.json", R"({"schema": 1e400})");
    const test::CommandRun run = run_tool(shell_quoted(input));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output,
               StartsWith("switchyard-report: " + input.string() + ": ") && Contains("1e400"));
  }
  SECTION("another schema") {
    report["schema"] = "switchyard.bench";
    const auto input = dir.write("run.json", report.dump());
    const test::CommandRun run = run_tool(shell_quoted(input));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Equals("switchyard-report: " + input.string() +
                                  R"(: schema: not a Switchyard report (expected )"
                                  "\"switchyard.report\")\n"));
  }
  SECTION("a version after the reader's") {
    const std::string known = std::to_string(sy::Report::kSchemaVersion);
    const std::string next = std::to_string(sy::Report::kSchemaVersion + 1);
    report["version"] = sy::Report::kSchemaVersion + 1;
    const auto input = dir.write("run.json", report.dump());
    const test::CommandRun run = run_tool(shell_quoted(input));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Equals("switchyard-report: " + input.string() + ": version: " + next +
                                  " is not a version this reader knows (" + known + ")\n"));
  }
  SECTION("a field of the wrong type") {
    report["kinds"][2]["shares_of_wall"]["cpu"] = "x";
    const auto input = dir.write("run.json", report.dump());
    const test::CommandRun run = run_tool(shell_quoted(input));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Equals("switchyard-report: " + input.string() +
                                  R"(: kinds[2].shares_of_wall.cpu: expected a number, found "x")"
                                  "\n"));
  }
  SECTION("a duration that is not a whole number of nanoseconds") {
    report["kinds"][0]["first_seen_ns"] = "soon";
    const auto input = dir.write("run.json", report.dump());
    const test::CommandRun run = run_tool(shell_quoted(input));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Equals("switchyard-report: " + input.string() +
                                  R"(: kinds[0].first_seen_ns: expected a whole number of )"
                                  R"(nanoseconds, found "soon")"
                                  "\n"));
  }
  SECTION("a missing field") {
    report["kinds"][1].erase("history");
    const auto input = dir.write("run.json", report.dump());
    const test::CommandRun run = run_tool(shell_quoted(input));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output,
               Equals("switchyard-report: " + input.string() + ": kinds[1].history: missing\n"));
  }
  SECTION("a missing file") {
    const auto input = dir.path() / "missing.json";
    const test::CommandRun run = run_tool(shell_quoted(input));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Equals("switchyard-report: " + input.string() +
                                  ": cannot read: No such file or directory\n"));
  }
  SECTION("a directory") {
    const test::CommandRun run = run_tool(shell_quoted(dir.path()));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Equals("switchyard-report: " + dir.path().string() +
                                  ": is a directory, not a regular file\n"));
  }
  SECTION("a FIFO, which no one writes to") {
    const auto fifo = dir.path() / "run.json";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // A tool that blocked on the FIFO would be killed by timeout, which then exits with 137.
    const test::CommandRun run = run_tool(shell_quoted(fifo), "timeout -s KILL 60");
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output,
               Equals("switchyard-report: " + fifo.string() + ": is a FIFO, not a regular file\n"));
  }
  SECTION("a file one byte past Report::kMaxJsonBytes, refused before it is read") {
    // A sparse file: its size says it is too large, and nothing of it is written or read.
    const auto input = dir.path() / "run.json";
    std::filesystem::resize_file(dir.write(input, ""), sy::Report::kMaxJsonBytes + 1);
    const test::CommandRun run = run_tool(shell_quoted(input));
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Equals("switchyard-report: " + input.string() + ": is larger than " +
                                  std::to_string(sy::Report::kMaxJsonBytes) + " bytes\n"));
  }
  CHECK_FALSE(std::filesystem::exists(dir.path() / "run.html"));
}

TEST_CASE("switchyard-report draws a real runtime's report", "[cli]") {
  const test::TempDir dir("switchyard-report-test");
  const auto input = dir.write("real.json", real_report());
  const test::CommandRun run = run_tool(shell_quoted(input));
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(run.output.empty());
  const std::string page = test::read_text(dir.path() / "real.html");
  CHECK(test::count(page, "<svg class=\"chart\"") == 3);
  CHECK_THAT(page, Contains(R"(id="chart-breakdown")") && Contains(R"(id="chart-placement")") &&
                       Contains(R"(id="chart-latency")"));
  CHECK_THAT(page, Contains("<td>crunch</td>") && Contains("<td>nap &lt;io&gt;</td>"));
  CHECK(page.find("nap <io>") == std::string::npos);
}

TEST_CASE("switchyard-report's arguments", "[cli]") {
  SECTION("none") {
    const test::CommandRun run = run_tool("");
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Contains("REPORT.json is required"));
  }
  SECTION("an unknown option") {
    const test::CommandRun run = run_tool(shell_quoted(test::fixture_path()) + " --colour");
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.output, Contains("--colour"));
  }
  SECTION("--help") {
    const test::CommandRun run = run_tool("--help");
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.output, Contains("REPORT.json") && Contains("--title"));
  }
}

TEST_CASE("switchyard-report fails with status 1 when it cannot write the page", "[cli]") {
  const test::TempDir dir("switchyard-report-test");
  const auto output = dir.path() / "no-such-dir" / "page.html";
  const test::CommandRun run =
      run_tool(shell_quoted(test::fixture_path()) + " -o " + shell_quoted(output));
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.output, Equals("switchyard-report: " + output.string() +
                                ": cannot write: No such file or directory\n"));
}
