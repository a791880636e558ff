#include <switchyard/counters.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../scoped_environment.hpp"

namespace sy = switchyard;
using Catch::Matchers::Contains;

using switchyard::test::ScopedEnvironment;

namespace {

sy::CounterOptions options_for(sy::CounterMode mode) {
  sy::CounterOptions options;
  options.mode = mode;
  options.mode_origin = "the test";
  return options;
}

const sy::PlannedEvent& planned(const sy::CounterPlan& plan, const std::string& name) {
  for (const sy::PlannedEvent& event : plan.events()) {
    if (event.requested == name) return event;
  }
  FAIL("no planned event " << name);
  throw std::logic_error("unreachable");
}

bool is_papi(sy::CounterSource source) {
  return source == sy::CounterSource::papi_preset || source == sy::CounterSource::papi_native;
}

// check_plan_shape() checks what every plan promises, whatever the machine.
void check_plan_shape(const sy::CounterPlan& plan, const std::vector<std::string>& requested) {
  REQUIRE(plan.events().size() == requested.size());
  std::set<std::size_t> slots;
  for (std::size_t i = 0; i < requested.size(); ++i) {
    const sy::PlannedEvent& event = plan.events()[i];
    INFO(event.requested << ": " << event.reason);
    CHECK(event.requested == requested[i]);
    CHECK_FALSE(event.reason.empty());
    if (event.live) {
      CHECK(event.source != sy::CounterSource::none);
      CHECK_FALSE(event.counted_by.empty());
      CHECK(event.slot < plan.live_count());
      CHECK(slots.insert(event.slot).second);
    } else {
      CHECK(event.source == sy::CounterSource::none);
    }
    if (event.source == sy::CounterSource::papi_preset) {
      CHECK(event.requested.rfind("PAPI_", 0) == 0);
    }
  }
  CHECK(slots.size() == plan.live_count());
  CHECK(plan.live_count() <= sy::CounterSample::max_events);
}

// spin() burns CPU on the calling thread for about `duration` of wall time.
void spin(std::chrono::milliseconds duration) {
  volatile std::uint64_t sink = 0;
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    for (int i = 0; i < 10000; ++i) sink = sink + 1;
  }
}

}  // namespace

TEST_CASE("CounterOptions read the mode from SWITCHYARD_COUNTERS", "[counters]") {
  SECTION("unset") {
    ScopedEnvironment env("SWITCHYARD_COUNTERS", nullptr);
    const auto options = sy::CounterOptions::from_environment();
    CHECK(options.mode == sy::CounterMode::automatic);
    CHECK(options.events == sy::default_counter_events());
  }
  SECTION("presets-off") {
    ScopedEnvironment env("SWITCHYARD_COUNTERS", "presets-off");
    const auto options = sy::CounterOptions::from_environment();
    CHECK(options.mode == sy::CounterMode::presets_off);
    CHECK(options.mode_origin == "SWITCHYARD_COUNTERS=presets-off");
  }
  SECTION("papi-off") {
    ScopedEnvironment env("SWITCHYARD_COUNTERS", "papi-off");
    CHECK(sy::CounterOptions::from_environment().mode == sy::CounterMode::papi_off);
  }
  SECTION("an unknown value keeps auto and says so") {
    ScopedEnvironment env("SWITCHYARD_COUNTERS", "fast");
    const auto options = sy::CounterOptions::from_environment();
    CHECK(options.mode == sy::CounterMode::automatic);
    CHECK_THAT(options.mode_origin, Contains("SWITCHYARD_COUNTERS=fast not understood"));
  }
}

TEST_CASE("CounterPlan answers for every requested event", "[counters]") {
  const auto mode =
      GENERATE(sy::CounterMode::automatic, sy::CounterMode::presets_off, sy::CounterMode::papi_off);
  const auto options = options_for(mode);
  const sy::CounterPlan plan = sy::CounterPlan::decide(options);
  INFO("mode " << sy::to_string(mode) << ", " << plan.papi());
  check_plan_shape(plan, options.events);
  CHECK(plan.mode() == mode);
  // Linux always has the last link of the chain for these two.
  CHECK(planned(plan, "perf::TASK-CLOCK").live);
  CHECK(planned(plan, "perf::CONTEXT-SWITCHES").live);
}

TEST_CASE("CounterPlan says whether this build has PAPI", "[counters]") {
  const sy::CounterPlan plan = sy::CounterPlan::decide(options_for(sy::CounterMode::automatic));
  INFO(plan.papi());
#ifdef SWITCHYARD_HAVE_PAPI
  CHECK_THAT(plan.papi(), !Contains("built without PAPI"));
#else
  CHECK_THAT(plan.papi(), Contains("built without PAPI"));
  for (const sy::PlannedEvent& event : plan.events()) CHECK_FALSE(is_papi(event.source));
#endif
}

TEST_CASE("CounterPlan with presets off uses perf:: events or getrusage and says why",
          "[counters]") {
  ScopedEnvironment env("SWITCHYARD_COUNTERS", "presets-off");
  const sy::CounterPlan plan = sy::CounterPlan::decide(sy::CounterOptions::from_environment());
  check_plan_shape(plan, sy::default_counter_events());
  for (const sy::PlannedEvent& event : plan.events()) {
    INFO(event.requested << ": " << event.reason);
    CHECK(event.source != sy::CounterSource::papi_preset);
    if (event.requested.rfind("PAPI_", 0) == 0) {
      CHECK_THAT(event.reason,
                 Contains("PAPI presets off (chosen by SWITCHYARD_COUNTERS=presets-off)"));
    }
  }
  const sy::PlannedEvent& switches = planned(plan, "perf::CONTEXT-SWITCHES");
  CHECK((switches.source == sy::CounterSource::papi_native ||
         switches.source == sy::CounterSource::rusage));
}

TEST_CASE("CounterPlan with PAPI off uses getrusage and the thread clock and says why",
          "[counters]") {
  ScopedEnvironment env("SWITCHYARD_COUNTERS", "papi-off");
  const sy::CounterPlan plan = sy::CounterPlan::decide(sy::CounterOptions::from_environment());
  check_plan_shape(plan, sy::default_counter_events());
  CHECK_THAT(plan.papi(), Contains("PAPI off (chosen by SWITCHYARD_COUNTERS=papi-off)"));
  for (const sy::PlannedEvent& event : plan.events()) {
    INFO(event.requested << ": " << event.reason);
    CHECK_FALSE(is_papi(event.source));
    CHECK_THAT(event.reason, Contains("PAPI not used: PAPI off"));
  }
  CHECK_FALSE(planned(plan, "PAPI_TOT_INS").live);
  CHECK_THAT(planned(plan, "PAPI_TOT_INS").reason,
             Contains("no getrusage() or clock_gettime() equivalent"));
  CHECK(planned(plan, "perf::TASK-CLOCK").source == sy::CounterSource::thread_clock);
  CHECK(planned(plan, "perf::CONTEXT-SWITCHES").source == sy::CounterSource::rusage);
}

TEST_CASE("CounterPlan names unknown and repeated events without counting them", "[counters]") {
  const auto mode = GENERATE(sy::CounterMode::automatic, sy::CounterMode::papi_off);
  sy::CounterOptions options = options_for(mode);
  options.events = {"perf::TASK-CLOCK", "NO_SUCH_EVENT", "perf::task-clock"};
  const sy::CounterPlan plan = sy::CounterPlan::decide(options);
  check_plan_shape(plan, options.events);
  CHECK(plan.live_count() == 1);
  CHECK_FALSE(planned(plan, "NO_SUCH_EVENT").live);
  CHECK_THAT(planned(plan, "perf::task-clock").reason, Contains("requested twice"));
}

TEST_CASE("ThreadCounters measure the CPU time of a spin loop", "[counters]") {
  const auto mode =
      GENERATE(sy::CounterMode::automatic, sy::CounterMode::presets_off, sy::CounterMode::papi_off);
  const sy::CounterPlan plan = sy::CounterPlan::decide(options_for(mode));
  INFO("mode " << sy::to_string(mode) << ", " << plan.papi());
  sy::ThreadCounters counters(plan);
  INFO("error: " << counters.error());
  CHECK(counters.error().empty());
  REQUIRE(counters.start().empty());

  const auto wall_start = std::chrono::steady_clock::now();
  const sy::CounterSample before = counters.read();
  spin(std::chrono::milliseconds(50));
  const sy::CounterSample after = counters.read();
  const auto wall_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now() - wall_start)
                           .count();
  counters.stop();

  const sy::CounterSample delta = after - before;
  REQUIRE(delta.has(sy::CounterSample::kEvents | sy::CounterSample::kCpuTime |
                    sy::CounterSample::kRusage));
  CHECK(delta.event_count == plan.live_count());
  // Loose bounds: the spin ran on CPU for some of its 50 ms, and a thread's CPU time cannot
  // outrun the wall clock (a little slack for clock granularity).
  CHECK(delta.cpu_ns > 1'000'000u);
  CHECK(delta.cpu_ns <= static_cast<std::uint64_t>(wall_ns) + 10'000'000u);
  const std::uint64_t task_clock = delta.events[planned(plan, "perf::TASK-CLOCK").slot];
  CHECK(task_clock > 1'000'000u);
  CHECK(task_clock <= static_cast<std::uint64_t>(wall_ns) + 10'000'000u);
}

TEST_CASE("ThreadCounters read the system fields before start and after stop", "[counters]") {
  const sy::CounterPlan plan = sy::CounterPlan::decide(options_for(sy::CounterMode::automatic));
  sy::ThreadCounters counters(plan);
  const auto system_fields = sy::CounterSample::kCpuTime | sy::CounterSample::kRusage;
  CHECK(counters.read().has(system_fields));
  REQUIRE(counters.start().empty());
  CHECK(counters.read().has(system_fields | sy::CounterSample::kEvents));
  counters.stop();
  CHECK(counters.read().has(system_fields));
}

TEST_CASE("ThreadCounters count on several threads at once", "[counters]") {
  const sy::CounterPlan plan = sy::CounterPlan::decide(options_for(sy::CounterMode::automatic));
  struct Result {
    std::string error = "not run";
    bool complete = false;
    std::uint64_t cpu_ns = 0;
  };
  std::vector<Result> results(3);
  std::vector<std::thread> threads;
  for (Result& result : results) {
    threads.emplace_back([&plan, &result] {
      sy::ThreadCounters counters(plan);
      result.error = counters.error() + counters.start();
      const sy::CounterSample before = counters.read();
      spin(std::chrono::milliseconds(10));
      const sy::CounterSample delta = counters.read() - before;
      result.complete = delta.has(sy::CounterSample::kEvents | sy::CounterSample::kCpuTime);
      result.cpu_ns = delta.cpu_ns;
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Result& result : results) {
    CHECK(result.error.empty());
    CHECK(result.complete);
    CHECK(result.cpu_ns > 0);
  }
}
