// The runtime's calibration: the hand-offs to its own pools are measured by the runtime, the
// first result is the MachineModel its policy reads (and its report shows), in the background
// at start or on demand, and shutting down mid-calibration neither hangs nor loses tasks.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <chrono>
#include <thread>

#include <switchyard/switchyard.hpp>

#include "../scoped_environment.hpp"
#include "../temp_dir.hpp"
#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

// FreshCache points XDG_CACHE_HOME at an empty directory for its lifetime, so the runtime
// calibrates cold.
struct FreshCache {
  sy::test::TempDir dir{"switchyard-calibration"};
  sy::test::ScopedEnvironment cache{"XDG_CACHE_HOME", dir.path().c_str()};
};

sy::Config calibrating(bool in_background) {
  auto config = sy::test::small_config();
  config.profiling.calibrate = in_background;
  return config;
}

void require_handoffs_measured(const sy::MachineModel& model) {
  CAPTURE(model.cpu_pool_handoff_ns.note, model.blocking_pool_handoff_ns.note);
  REQUIRE(model.cpu_pool_handoff_ns.value.has_value());
  REQUIRE(*model.cpu_pool_handoff_ns.value > 0);
  REQUIRE(model.blocking_pool_handoff_ns.value.has_value());
  REQUIRE(*model.blocking_pool_handoff_ns.value > 0);
}

}  // namespace

TEST_CASE("a runtime calibrates in the background and reports the model its policy reads",
          "[calibration]") {
  const FreshCache cache;
  sy::Runtime rt(calibrating(true));
  REQUIRE(rt.spawn("work", [] { return 7; }).get() == 7);  // tasks run meanwhile
  sy::Report report = rt.report();
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (report.calibration.state == "running" && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(10ms);
    report = rt.report();
  }
  REQUIRE(report.calibration.state == "missing");  // a fresh cache: measured, then written
  REQUIRE(report.calibration.model.has_value());
  require_handoffs_measured(*report.calibration.model);
  // The internal probing tasks are not the program's: no kind of theirs is reported.
  REQUIRE(report.kinds.size() == 1);
}

TEST_CASE("with background calibration off, calibrate() gives the model on demand",
          "[calibration]") {
  const FreshCache cache;
  sy::Runtime rt(calibrating(false));
  REQUIRE(rt.report().calibration.state == "off");
  REQUIRE_FALSE(rt.report().calibration.model.has_value());
  const sy::Calibration first = rt.calibrate();
  require_handoffs_measured(first.model);
  const sy::Report report = rt.report();
  REQUIRE(report.calibration.model.has_value());
  REQUIRE(report.calibration.model->cpu_pool_handoff_ns.value ==
          first.model.cpu_pool_handoff_ns.value);
  // A second call reads what the first wrote.
  REQUIRE(rt.calibrate().cache == sy::CacheOutcome::hit);
}

TEST_CASE("a runtime shut down while it calibrates stops promptly and runs its tasks",
          "[calibration]") {
  const FreshCache cache;
  sy::Runtime rt(calibrating(true));
  auto f = rt.spawn("work", [] { return 1; });
  const sy::ShutdownSummary summary = rt.shutdown(1s);
  REQUIRE(f.get() == 1);
  for (const auto& [kind, counts] : summary.kinds) REQUIRE(kind == "work");  // not the probes'
}

TEST_CASE("shutdown ends a calibration whose probe waits behind a task that only cancellation ends",
          "[calibration]") {
  const FreshCache cache;
  auto config = calibrating(true);
  config.executors.cpu_threads = 1;
  sy::Runtime rt(config);
  // Holds the only CPU thread until shutdown cancels its wait; a hand-off probe queues behind.
  auto sleeper = rt.spawn(
      "sleeper", [] { sy::this_task::sleep_for(std::chrono::hours(1)); },
      sy::on(sy::Placement::cpu));
  std::this_thread::sleep_for(100ms);
  const sy::ShutdownSummary summary = rt.shutdown(200ms);
  REQUIRE_THROWS_AS(sleeper.get(), sy::TaskCancelled);
  REQUIRE(summary.cancelled() == 1);
}
