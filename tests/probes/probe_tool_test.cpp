#include <switchyard/topology.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "test_support.hpp"

namespace sy = switchyard;
using Catch::Matchers::Contains;

namespace {

nlohmann::json probe_json(const std::string& arguments, const std::string& environment = "") {
  const sy::test::CommandRun run = sy::test::run_probe(arguments, environment);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  return nlohmann::json::parse(run.output);
}

}  // namespace

TEST_CASE("switchyard-probe --json reports topology, counters and calibration", "[tool]") {
  INFO("SWITCHYARD_PROBE names the built switchyard-probe");
  REQUIRE_FALSE(sy::test::probe_path().empty());
  const nlohmann::json report = probe_json("--json");
  CHECK(report["schema_version"] == 2);
  REQUIRE(report["topology"].is_object());
  REQUIRE(report["counters"].is_object());
  REQUIRE(report["calibration"].is_object());
  const sy::Topology topology = sy::Topology::discover();
  // The machine's fields carry the names of a run report's `machine` (docs/report.md).
  const nlohmann::json& machine = report["topology"];
  CHECK(machine["cores"] == topology.core_count());
  CHECK(machine["topology_source"] == topology.source());
  CHECK(machine["hardware_threads"] == topology.hardware_threads());
  CHECK_FALSE(machine.contains("core_count"));
  CHECK_FALSE(machine.contains("source"));
  CHECK(machine["core_list"].size() == topology.core_count());
  CHECK(report["counters"]["events"].size() == 6);
  CHECK(report["calibration"]["available"] == true);
  CHECK(report["calibration"]["figures"]["fiber_switch_ns"]["value"].get<double>() > 0);
  // The executor hand-offs are measured by the tool's own runtime.
  CHECK(report["calibration"]["figures"]["cpu_pool_handoff_ns"]["value"].get<double>() > 0);
  CHECK(report["calibration"]["figures"]["blocking_pool_handoff_ns"]["value"].get<double>() > 0);
}

TEST_CASE("switchyard-probe --events replaces the default list", "[tool]") {
  const nlohmann::json report = probe_json("--json --events perf::TASK-CLOCK,PAPI_TOT_INS");
  const nlohmann::json& events = report["counters"]["events"];
  REQUIRE(events.size() == 2);
  CHECK(events[0]["requested"] == "perf::TASK-CLOCK");
  CHECK(events[0]["live"] == true);
  CHECK(events[1]["requested"] == "PAPI_TOT_INS");
}

TEST_CASE("switchyard-probe follows SWITCHYARD_COUNTERS", "[tool]") {
  const nlohmann::json report = probe_json("--json", "SWITCHYARD_COUNTERS=papi-off");
  CHECK(report["counters"]["mode"] == "papi-off");
  for (const auto& event : report["counters"]["events"]) {
    CHECK(event["source"] != "papi-preset");
    CHECK(event["source"] != "papi-native");
  }
}

TEST_CASE("switchyard-probe prints a readable report with all three sections", "[tool]") {
  const sy::test::CommandRun run = sy::test::run_probe("");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("\ntopology ("));
  CHECK_THAT(run.output, Contains("\ncounters ("));
  CHECK_THAT(run.output, Contains("\ncalibration\n"));
  CHECK_THAT(run.output, Contains("fiber_switch_ns"));
  CHECK_THAT(run.output, Contains("process_round_trip_ns"));
}

TEST_CASE("switchyard-probe --help describes the options", "[tool]") {
  const std::string help = GENERATE("--help", "-h");
  const sy::test::CommandRun run = sy::test::run_probe(help);
  INFO(run.output);
  CHECK(run.exit_code == 0);
  for (const char* option : {"--json", "--events", "--recalibrate", "SWITCHYARD_COUNTERS"}) {
    CHECK_THAT(run.output, Contains(option));
  }
}

TEST_CASE("switchyard-probe --events=LIST is the same as --events LIST", "[tool]") {
  const nlohmann::json report = probe_json("--json --events=perf::TASK-CLOCK");
  REQUIRE(report["counters"]["events"].size() == 1);
  CHECK(report["counters"]["events"][0]["requested"] == "perf::TASK-CLOCK");
}

TEST_CASE("switchyard-probe rejects bad arguments by name, with status 2", "[tool]") {
  const auto [arguments, named] = GENERATE(table<std::string, std::string>({
      {"--bogus", "--bogus"},
      {"--json extra", "extra"},
      {"--events", "--events"},
      {"--events a,,b", "'a,,b' has an empty event name"},
      {"--events ,", "empty event name"},
  }));
  const sy::test::CommandRun run = sy::test::run_probe(arguments);
  INFO(arguments << ": " << run.output);
  CHECK(run.exit_code == 2);
  CHECK_THAT(run.output, Contains("switchyard-probe: "));
  CHECK_THAT(run.output, Contains(named));
  CHECK_THAT(run.output, Contains("switchyard-probe --help"));
}
