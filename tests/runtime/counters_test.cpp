// Counters in the runtime: the plan decided at start-up is in the report, with a reason for
// every counter that is not live; counted tasks carry their counters into their kind's
// profile (how many are counted: measurement_test.cpp); forcing PAPI (or its presets) off leaves a
// runtime that runs and says why.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <chrono>
#include <string>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "../scoped_environment.hpp"
#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

// spin_kind() runs `tasks` tasks spinning 2 ms each on the CPU pool and reports their kind.
sy::Report spin_kind(const sy::Config& config, int tasks) {
  sy::Runtime rt(config);
  std::vector<sy::Future<void>> spins;
  for (int i = 0; i < tasks; ++i) {
    spins.push_back(rt.spawn(
        "spin", [] { sy::test::spin_for(2ms); }, sy::on(sy::Placement::cpu)));
  }
  for (auto& s : spins) s.get();
  return rt.report();
}

const sy::PlannedEvent* find(const sy::Report& report, const std::string& name) {
  for (const auto& e : report.counters.events) {
    if (e.requested == name) return &e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the report lists every configured counter: live with its source, or why not",
          "[counters]") {
  auto config = sy::test::small_config();
  config.profiling.counters = {"PAPI_TOT_INS", "perf::TASK-CLOCK", "NOT_AN_EVENT"};
  const sy::Report report = spin_kind(config, 4);
  REQUIRE(report.counters.events.size() == config.profiling.counters.size());
  REQUIRE_FALSE(report.counters.papi.empty());
  for (const auto& e : report.counters.events) {
    CAPTURE(e.requested, e.reason);
    if (e.live) {
      REQUIRE_FALSE(e.counted_by.empty());
    } else {
      REQUIRE_FALSE(e.reason.empty());
    }
  }
  const sy::PlannedEvent* bogus = find(report, "NOT_AN_EVENT");
  REQUIRE(bogus != nullptr);
  REQUIRE_FALSE(bogus->live);
  REQUIRE(report.kinds.at(0).finished == 4);
}

TEST_CASE("counted tasks carry per-task counter means into their kind's report", "[counters]") {
  auto config = sy::test::small_config();
  config.profiling.counters = {"perf::TASK-CLOCK"};  // PAPI's, else the thread CPU clock
  const sy::Report report = spin_kind(config, 12);
  const sy::Report::KindReport& spin = report.kinds.at(0);
  REQUIRE(spin.counted == 12);  // all within warm-up
  REQUIRE(find(report, "perf::TASK-CLOCK")->live);
  REQUIRE(spin.counters_per_task.size() == 1);
  REQUIRE(spin.counters_per_task[0].first == "perf::TASK-CLOCK");
  // Each task spun for 2 ms of CPU time; its task clock reads in nanoseconds.
  CAPTURE(spin.counters_per_task[0].second);
  REQUIRE(spin.counters_per_task[0].second > 1e6);
  REQUIRE(spin.context_switches_per_task.has_value());
}

TEST_CASE("with PAPI forced off the runtime runs, counts what the OS gives, and says why",
          "[counters]") {
  const sy::test::ScopedEnvironment off("SWITCHYARD_COUNTERS", "papi-off");
  auto config = sy::test::small_config();
  config.profiling.counters = {"PAPI_TOT_INS", "perf::TASK-CLOCK"};
  const sy::Report report = spin_kind(config, 6);
  CAPTURE(report.counters.papi, report.counters.mode);
  REQUIRE(report.counters.mode.find("papi-off") != std::string::npos);
  const sy::PlannedEvent* instructions = find(report, "PAPI_TOT_INS");
  REQUIRE_FALSE(instructions->live);
  REQUIRE(instructions->reason.find("PAPI") != std::string::npos);
  const sy::PlannedEvent* clock = find(report, "perf::TASK-CLOCK");
  REQUIRE(clock->live);
  REQUIRE(clock->source == sy::CounterSource::thread_clock);
  const sy::Report::KindReport& spin = report.kinds.at(0);
  REQUIRE(spin.finished == 6);
  REQUIRE_FALSE(spin.ipc.has_value());
  REQUIRE(spin.counters_per_task.size() == 1);
}

TEST_CASE("with PAPI presets forced off no preset is live, and the reason says so", "[counters]") {
  const sy::test::ScopedEnvironment off("SWITCHYARD_COUNTERS", "presets-off");
  auto config = sy::test::small_config();
  config.profiling.counters = {"PAPI_TOT_INS"};
  const sy::Report report = spin_kind(config, 2);
  const sy::PlannedEvent* instructions = find(report, "PAPI_TOT_INS");
  CAPTURE(instructions->reason);
  REQUIRE(instructions->source != sy::CounterSource::papi_preset);
  REQUIRE(instructions->reason.find("presets-off") != std::string::npos);
  REQUIRE(report.kinds.at(0).finished == 2);
}
