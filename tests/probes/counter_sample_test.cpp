#include <switchyard/counter_sample.hpp>
#include <switchyard/counters.hpp>

#include <catch2/catch.hpp>

namespace sy = switchyard;

namespace {

sy::CounterSample with_hardware(std::uint64_t instructions, std::uint64_t cycles,
                                std::uint64_t misses) {
  sy::CounterSample sample;
  sample.valid = sy::CounterSample::kInstructions | sy::CounterSample::kCycles |
                 sy::CounterSample::kCacheMisses | sy::CounterSample::kRusage;
  sample.instructions = instructions;
  sample.cycles = cycles;
  sample.cache_misses = misses;
  return sample;
}

}  // namespace

TEST_CASE("Derived figures come from counter deltas", "[derived]") {
  sy::CounterSample later = with_hardware(3000, 2000, 30);
  later.voluntary_switches = 7;
  later.involuntary_switches = 3;
  const sy::CounterSample delta = later - with_hardware(1000, 1000, 10);
  CHECK(delta.instructions == 2000);
  CHECK(ipc(delta) == Approx(2.0));
  CHECK(cache_misses_per_kilo_instruction(delta) == Approx(10.0));
  CHECK(context_switches_per_task(delta, 5) == Approx(2.0));
}

TEST_CASE("Derived figures are nullopt when their counters are missing", "[derived]") {
  sy::CounterSample delta = with_hardware(1000, 500, 5);
  SECTION("no cycles") {
    delta.valid &= ~sy::CounterSample::kCycles;
    CHECK_FALSE(ipc(delta).has_value());
    CHECK(cache_misses_per_kilo_instruction(delta).has_value());
  }
  SECTION("no instructions") {
    delta.valid &= ~sy::CounterSample::kInstructions;
    CHECK_FALSE(ipc(delta).has_value());
    CHECK_FALSE(cache_misses_per_kilo_instruction(delta).has_value());
  }
  SECTION("no cache misses") {
    delta.valid &= ~sy::CounterSample::kCacheMisses;
    CHECK(ipc(delta).has_value());
    CHECK_FALSE(cache_misses_per_kilo_instruction(delta).has_value());
  }
  SECTION("no getrusage") {
    delta.valid &= ~sy::CounterSample::kRusage;
    CHECK_FALSE(context_switches_per_task(delta, 1).has_value());
  }
  SECTION("nothing to divide by") {
    delta.cycles = 0;
    delta.instructions = 0;
    CHECK_FALSE(ipc(delta).has_value());
    CHECK_FALSE(cache_misses_per_kilo_instruction(delta).has_value());
    CHECK_FALSE(context_switches_per_task(delta, 0).has_value());
  }
}

TEST_CASE("Subtracting samples keeps only what both hold", "[derived]") {
  sy::CounterSample later = with_hardware(10, 10, 10);
  sy::CounterSample earlier = with_hardware(20, 5, 5);
  earlier.valid &= ~sy::CounterSample::kCacheMisses;
  later.event_count = 2;
  later.valid |= sy::CounterSample::kEvents;
  earlier.event_count = 1;
  earlier.valid |= sy::CounterSample::kEvents;
  const sy::CounterSample delta = later - earlier;
  CHECK(delta.instructions == 0);  // went backwards: reads as nothing happened
  CHECK(delta.cycles == 5);
  CHECK_FALSE(delta.has(sy::CounterSample::kCacheMisses));
  CHECK_FALSE(delta.has(sy::CounterSample::kEvents));  // samples of different plans
  CHECK(delta.has(sy::CounterSample::kInstructions | sy::CounterSample::kCycles));
}

TEST_CASE("Adding deltas sums what both hold", "[derived]") {
  sy::CounterSample a = with_hardware(100, 50, 2);
  sy::CounterSample b = with_hardware(300, 150, 6);
  a.event_count = b.event_count = 1;
  a.events[0] = 4;
  b.events[0] = 5;
  a.valid |= sy::CounterSample::kEvents;
  b.valid |= sy::CounterSample::kEvents;
  b.valid &= ~sy::CounterSample::kCycles;
  const sy::CounterSample sum = a + b;
  CHECK(sum.instructions == 400);
  CHECK(sum.cache_misses == 8);
  CHECK(sum.events[0] == 9);
  CHECK(sum.has(sy::CounterSample::kEvents | sy::CounterSample::kInstructions));
  CHECK_FALSE(sum.has(sy::CounterSample::kCycles));
  CHECK(cache_misses_per_kilo_instruction(sum) == Approx(20.0));
}

TEST_CASE("Derived figures from a plan without PAPI are nullopt where hardware is needed",
          "[derived]") {
  sy::CounterOptions options;
  options.mode = sy::CounterMode::papi_off;
  const sy::CounterPlan plan = sy::CounterPlan::decide(options);
  sy::ThreadCounters counters(plan);
  REQUIRE(counters.start().empty());
  const sy::CounterSample before = counters.read();
  const sy::CounterSample delta = counters.read() - before;
  CHECK_FALSE(ipc(delta).has_value());
  CHECK_FALSE(cache_misses_per_kilo_instruction(delta).has_value());
  CHECK(context_switches_per_task(delta, 1).has_value());
}
