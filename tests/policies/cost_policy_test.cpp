#include <catch2/catch.hpp>

#include <chrono>

#include <switchyard/cost_policy.hpp>

#include "sample.hpp"
#include "simulation.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;
using sy::Placement;
using sy::test::anywhere;
using sy::test::sample;
using sy::test::Simulation;

namespace {

sy::CostPolicy make_cost() {
  return sy::CostPolicy(sy::PolicyConfig{}, sy::ExecutorsConfig{});
}

}  // namespace

TEST_CASE("cost: the three seed cases", "[cost]") {
  sy::CostPolicy policy = make_cost();
  SECTION("CPU-bound, many at once: the CPU pool (the model ties, the table decides)") {
    Simulation sim(policy, Placement::fiber);
    sim.inflight = 100;
    sim.run(20, anywhere(sample(10ms, 0ms, 0ms)));
    REQUIRE(sim.current() == Placement::cpu);
  }
  SECTION("CPU-bound and registered: still the CPU pool, shards cost a round trip more") {
    Simulation sim(policy, Placement::fiber, true);
    sim.inflight = 100;
    sim.run(20, anywhere(sample(10ms, 0ms, 0ms)));
    REQUIRE(sim.current() == Placement::cpu);
  }
  SECTION("few blocking callers: the blocking pool") {
    Simulation sim(policy, Placement::fiber);
    sim.inflight = 4;
    sim.run(20, anywhere(sample(0ms, 8ms, 0ms)));
    REQUIRE(sim.current() == Placement::blocking);
  }
  SECTION("many slow waits: fibers, even from a thread pool") {
    Simulation sim(policy, Placement::blocking);
    sim.inflight = 10000;
    sim.run(20, anywhere(sample(50us, 0ms, 100ms)));
    REQUIRE(sim.current() == Placement::fiber);
  }
}

TEST_CASE("cost: a kind stays put until min_samples, then goes where they suggest", "[cost]") {
  sy::PolicyConfig params;
  params.rules.min_samples = 5;
  sy::CostPolicy policy(params, sy::ExecutorsConfig{});
  Simulation sim(policy, Placement::fiber);
  sim.inflight = 4;
  sim.run(4, anywhere(sample(0ms, 8ms, 0ms)));
  REQUIRE(sim.current() == Placement::fiber);
  sim.run(1, anywhere(sample(0ms, 8ms, 0ms)));
  REQUIRE(sim.current() == Placement::blocking);
}

TEST_CASE("cost: a kind whose behaviour changes moves within a few tasks", "[cost]") {
  sy::CostPolicy policy = make_cost();
  Simulation sim(policy, Placement::fiber);
  sim.inflight = 64;
  sim.run(200, anywhere(sample(50us, 0ms, 20ms)));
  REQUIRE(sim.current() == Placement::fiber);
  // Two tasks show the change, then min_samples (8) more decide it.
  sim.run(9, anywhere(sample(2ms, 0ms, 0ms)));
  REQUIRE(sim.current() == Placement::cpu);
  REQUIRE(sim.moves() == 1);
}

TEST_CASE("cost: a saturated executor is avoided; a small gain does not move a kind", "[cost]") {
  sy::CostPolicy policy = make_cost();  // hysteresis 0.15
  Simulation sim(policy, Placement::cpu, true);
  sim.inflight = 10;
  // The CPU pool, where the table puts a CPU-bound kind, has 1000 tasks queued.
  sim.surroundings.load_view[Placement::cpu].busy = 2;
  sim.surroundings.load_view[Placement::cpu].queued = 1000;
  sim.surroundings.load_view[Placement::shard].busy = 2;
  sim.run(20, anywhere(sample(10ms, 0ms, 0ms)));
  REQUIRE(sim.current() == Placement::shard);
  REQUIRE(sim.moves() == 1);
  // 18 more calls queued on the shards: the blocking pool is now about 5% better; not enough.
  sim.surroundings.load_view[Placement::shard].queued = 18;
  sim.run(20, anywhere(sample(10ms, 0ms, 0ms)));
  REQUIRE(sim.current() == Placement::shard);
  // 40 queued: now it is clearly better.
  sim.surroundings.load_view[Placement::shard].queued = 40;
  sim.run(1, anywhere(sample(10ms, 0ms, 0ms)));
  REQUIRE(sim.current() == Placement::blocking);
}

TEST_CASE("cost: a kind caught stalling a fiber worker leaves the fibers", "[cost]") {
  sy::CostPolicy policy = make_cost();
  Simulation sim(policy, Placement::fiber);
  sim.inflight = 1000;
  // Short enough to fit a fiber worker, and mostly waiting: fibers...
  sim.run(20, anywhere(sample(100us, 20us, 5ms)));
  REQUIRE(sim.current() == Placement::fiber);
  // ...until the watchdog catches one blocking its worker.
  for (std::uint32_t i = 0; i < sy::KindGovernor::kStrikes; ++i) sim.stall();
  REQUIRE(sim.current() == Placement::blocking);
}

TEST_CASE("cost: a pinned kind never moves", "[cost]") {
  sy::CostPolicy policy = make_cost();
  Simulation sim(policy, Placement::fiber, false, Placement::fiber);
  sim.inflight = 100;
  sim.run(50, anywhere(sample(10ms, 0ms, 0ms)));
  REQUIRE(sim.current() == Placement::fiber);
  REQUIRE(sim.moves() == 0);
}

TEST_CASE("cost: blocking threads are kept warm after a burst, then let go", "[cost]") {
  sy::CostPolicy policy = make_cost();
  sy::LoadView load;
  load[Placement::blocking].busy = 40;
  sy::PoolSizes kept = policy.retune(load, sy::PoolSizes{});
  REQUIRE(kept.blocking_keep == 40);
  load[Placement::blocking].busy = 0;
  kept = policy.retune(load, kept);
  REQUIRE(kept.blocking_keep == 20);
  for (int i = 0; i < 8; ++i) kept = policy.retune(load, kept);
  REQUIRE(kept.blocking_keep == 0);
}
