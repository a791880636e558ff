#include <catch2/catch.hpp>

#include <chrono>

#include <switchyard/cost_policy.hpp>
#include <switchyard/explore_policy.hpp>

#include "sample.hpp"
#include "simulation.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;
using sy::Placement;
using sy::test::anywhere;
using sy::test::sample;
using sy::test::Simulation;

namespace {

sy::ExplorePolicy make_explore(double share = 0.05) {
  sy::PolicyConfig params;
  params.explore.share = share;
  return sy::ExplorePolicy(params, sy::ExecutorsConfig{});
}

// locked() is a task that computes 1 ms inside a process-wide lock, with many of them
// submitted at once: in threads it also waits for the lock while every other thread of its
// executor holds it (one on the fiber executor and the CPU pool, 63 on a full blocking pool); in
// a shard process it has the lock to itself.
sy::TaskSample locked(Placement where) {
  switch (where) {
    case Placement::shard:
      return sample(1ms, 0ms, 0ms);
    case Placement::blocking:
      return sample(1ms, 63ms, 0ms);
    default:
      return sample(1ms, 1ms, 0ms);
  }
}

// trials() counts the tasks a simulation ran away from `home`.
int trials(const Simulation& sim, Placement home) {
  int n = 0;
  for (const Placement p : sy::all_placements) {
    if (p != home) n += sim.ran_on(p);
  }
  return n;
}

}  // namespace

TEST_CASE("explore: the three seed cases, after trying the alternatives", "[explore]") {
  sy::ExplorePolicy policy = make_explore();
  SECTION("CPU-bound: the CPU pool") {
    Simulation sim(policy, Placement::fiber, true);
    sim.inflight = 100;
    sim.run(400, anywhere(sample(10ms, 0ms, 0ms)));
    REQUIRE(sim.current() == Placement::cpu);
    REQUIRE(sim.ran_on(Placement::shard) == sy::ExplorePolicy::kTrialTasks);
    REQUIRE(sim.ran_on(Placement::blocking) == sy::ExplorePolicy::kTrialTasks);
  }
  SECTION("few blocking callers: the blocking pool") {
    Simulation sim(policy, Placement::fiber);
    sim.inflight = 4;
    sim.run(400, anywhere(sample(0ms, 8ms, 0ms)));
    REQUIRE(sim.current() == Placement::blocking);
    // Fibers are never tried for a task that would stall their worker.
    REQUIRE(sim.ran_on(Placement::cpu) == sy::ExplorePolicy::kTrialTasks);
  }
  SECTION("many slow waits: fibers; the CPU pool, whose threads would idle, is not tried") {
    Simulation sim(policy, Placement::fiber);
    sim.inflight = 10000;
    sim.run(400, anywhere(sample(50us, 0ms, 100ms)));
    REQUIRE(sim.current() == Placement::fiber);
    REQUIRE(sim.ran_on(Placement::cpu) == 0);
    REQUIRE(sim.ran_on(Placement::blocking) == sy::ExplorePolicy::kTrialTasks);
  }
}

TEST_CASE("explore: a task that serializes in threads is measured in a shard and moves there",
          "[explore]") {
  sy::ExplorePolicy policy = make_explore();
  Simulation sim(policy, Placement::fiber, true);
  sim.inflight = 100;
  sim.run(400, locked);
  REQUIRE(sim.current() == Placement::shard);
  // Nothing but a measurement can show it: the cost policy, which sees only where the kind
  // runs, keeps it in threads.
  sy::CostPolicy cost(sy::PolicyConfig{}, sy::ExecutorsConfig{});
  Simulation blind(cost, Placement::fiber, true);
  blind.inflight = 100;
  blind.run(400, locked);
  REQUIRE(blind.current() != Placement::shard);
}

TEST_CASE("explore: once in a shard, a lock-bound kind stays, and is not explored again",
          "[explore]") {
  sy::ExplorePolicy policy = make_explore();
  Simulation sim(policy, Placement::fiber, true);
  sim.inflight = 16;
  sim.lag = 16;  // tasks started before a move finish after it
  for (int i = 0; i < 1000 && sim.current() != Placement::shard; ++i) sim.run(1, locked);
  REQUIRE(sim.current() == Placement::shard);
  const int moves = sim.moves();
  const int away = trials(sim, Placement::shard);
  // Its shares in a shard (computing) are not those it had in threads (waiting for the
  // lock): that is the move, not a drift to explore again for.
  sim.run(2000, locked);
  CHECK(sim.current() == Placement::shard);
  CHECK(sim.moves() == moves);
  CHECK(trials(sim, Placement::shard) == away);
}

TEST_CASE("explore: a stable kind is explored once, a kind that changes is explored again",
          "[explore]") {
  sy::ExplorePolicy policy = make_explore();
  Simulation sim(policy, Placement::fiber);
  sim.inflight = 64;
  sim.run(1000, anywhere(sample(50us, 0ms, 20ms)));
  REQUIRE(sim.current() == Placement::fiber);
  const int first = trials(sim, Placement::fiber);
  REQUIRE(first == static_cast<int>(sy::ExplorePolicy::kTrialTasks));  // the blocking pool
  // Now CPU-bound: it moves within a few tasks, and the alternatives are tried again.
  sim.run(9, anywhere(sample(2ms, 0ms, 0ms)));
  REQUIRE(sim.current() == Placement::cpu);
  sim.run(400, anywhere(sample(2ms, 0ms, 0ms)));
  REQUIRE(sim.current() == Placement::cpu);
  REQUIRE(sim.ran_on(Placement::blocking) > first);
}

TEST_CASE("explore: with share 0 it never tries, and decides as the cost policy does",
          "[explore]") {
  sy::ExplorePolicy policy = make_explore(0.0);
  Simulation sim(policy, Placement::fiber, true);
  sim.inflight = 100;
  sim.run(400, locked);
  REQUIRE(sim.current() == Placement::blocking);  // where the decision table sends it
  REQUIRE(sim.ran_on(Placement::shard) == 0);
  REQUIRE(sim.ran_on(Placement::cpu) == 0);
}

TEST_CASE("explore: hysteresis: a small measured gain does not move a kind", "[explore]") {
  sy::ExplorePolicy policy = make_explore();  // rules.hysteresis 0.1
  Simulation sim(policy, Placement::fiber);
  sim.inflight = 4;
  // 5% less blocked time on the CPU pool than on the blocking pool: the blocking pool stays.
  sim.run(400, [](Placement where) {
    return where == Placement::cpu ? sample(0ms, 7600us, 0ms) : sample(0ms, 8ms, 0ms);
  });
  REQUIRE(sim.current() == Placement::blocking);
  REQUIRE(sim.moves() == 1);
}

TEST_CASE("explore: a pinned kind never moves and is never tried elsewhere", "[explore]") {
  sy::ExplorePolicy policy = make_explore();
  Simulation sim(policy, Placement::cpu, true, Placement::cpu);
  sim.run(400, locked);
  REQUIRE(sim.current() == Placement::cpu);
  REQUIRE(sim.ran_on(Placement::cpu) == 400);
}
