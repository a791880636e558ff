#include <catch2/catch.hpp>

#include <chrono>
#include <optional>

#include <switchyard/rules_policy.hpp>

#include "fixed_surroundings.hpp"
#include "sample.hpp"
#include "simulation.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;
using sy::test::sample;

namespace {

sy::KindState state(const sy::KindProfile& profile, sy::Placement current,
                    std::optional<sy::Placement> pinned = std::nullopt, bool stalled = false) {
  return sy::KindState{"k", profile, current, pinned, 0, stalled};
}

// Feeds `n` samples to a profile and asks the policy after each, as the runtime does,
// carrying the placement forward. Returns the final placement.
sy::Placement settle(sy::RulesPolicy& policy, sy::KindProfile& profile, sy::Placement start,
                     const sy::TaskSample& s, int n) {
  sy::Placement current = start;
  for (int i = 0; i < n; ++i) {
    profile.add(s);
    current = policy.place(state(profile, current), sy::test::FixedSurroundings{}).placement;
  }
  return current;
}

}  // namespace

TEST_CASE("rules: the three seed cases", "[rules]") {
  sy::RulesPolicy policy;
  sy::KindProfile cpu;
  sy::KindProfile blocking;
  sy::KindProfile waiting;
  REQUIRE(settle(policy, cpu, sy::Placement::fiber, sample(9ms, 0ms, 1ms), 10) ==
          sy::Placement::cpu);
  REQUIRE(settle(policy, blocking, sy::Placement::fiber, sample(0ms, 8ms, 0ms), 10) ==
          sy::Placement::blocking);
  REQUIRE(settle(policy, waiting, sy::Placement::cpu, sample(0ms, 0ms, 10ms), 10) ==
          sy::Placement::fiber);
}

TEST_CASE("rules: a kind stays where it is until min_samples of its tasks were measured",
          "[rules]") {
  sy::RulesConfig params;
  params.min_samples = 4;
  sy::RulesPolicy policy(params);
  sy::KindProfile cpu;
  REQUIRE(
      policy.place(state(cpu, sy::Placement::blocking), sy::test::FixedSurroundings{}).placement ==
      sy::Placement::blocking);
  REQUIRE(settle(policy, cpu, sy::Placement::fiber, sample(9ms, 0ms, 1ms), 3) ==
          sy::Placement::fiber);
  REQUIRE(settle(policy, cpu, sy::Placement::fiber, sample(9ms, 0ms, 1ms), 1) ==
          sy::Placement::cpu);
}

TEST_CASE("rules: hysteresis keeps a kind near the threshold from flapping", "[rules]") {
  sy::RulesConfig params;  // cpu_share 0.6, hysteresis 0.1
  sy::RulesPolicy policy(params);
  sy::KindProfile p;
  REQUIRE(settle(policy, p, sy::Placement::fiber, sample(7ms, 0ms, 3ms), 40) == sy::Placement::cpu);
  // 55% CPU: below the 0.6 threshold but within the margin: it stays on the CPU pool.
  REQUIRE(settle(policy, p, sy::Placement::cpu, sample(55ms, 0ms, 45ms), 200) ==
          sy::Placement::cpu);
  // 40% CPU is past the margin: it moves.
  REQUIRE(settle(policy, p, sy::Placement::cpu, sample(4ms, 0ms, 6ms), 200) ==
          sy::Placement::fiber);
  // And a kind on fibers at 55% does not go to the CPU pool: it has not reached 0.6.
  sy::KindProfile q;
  REQUIRE(settle(policy, q, sy::Placement::fiber, sample(55ms, 0ms, 45ms), 200) ==
          sy::Placement::fiber);
}

TEST_CASE("rules: a kind whose behaviour changes follows it", "[rules]") {
  sy::RulesPolicy policy;
  sy::KindProfile p;
  sy::Placement at = settle(policy, p, sy::Placement::fiber, sample(0ms, 0ms, 10ms), 100);
  REQUIRE(at == sy::Placement::fiber);
  at = settle(policy, p, at, sample(10ms, 0ms, 0ms), 100);
  REQUIRE(at == sy::Placement::cpu);
}

TEST_CASE("rules: pinned kinds never move; stalled kinds go to the blocking pool", "[rules]") {
  sy::RulesPolicy policy;
  sy::KindProfile p;
  for (int i = 0; i < 10; ++i) p.add(sample(10ms, 0ms, 0ms));
  REQUIRE(policy
              .place(state(p, sy::Placement::fiber, sy::Placement::fiber),
                     sy::test::FixedSurroundings{})
              .placement == sy::Placement::fiber);
  REQUIRE(
      policy
          .place(state(p, sy::Placement::fiber, std::nullopt, true), sy::test::FixedSurroundings{})
          .placement == sy::Placement::blocking);
}

TEST_CASE("rules: a kind whose tasks alternate between two behaviours does not flap", "[rules]") {
  for (const sy::Placement start : {sy::Placement::fiber, sy::Placement::cpu}) {
    sy::RulesPolicy policy;
    sy::test::Simulation sim(policy, start);
    int i = 0;
    // Half its tasks compute, half wait: 50% CPU, under the 0.6 threshold.
    sim.run(400, [&i](sy::Placement) {
      return i++ % 2 == 0 ? sample(10ms, 0ms, 0ms) : sample(0ms, 0ms, 10ms);
    });
    CAPTURE(sy::to_string(start), sim.moves(), sim.profile().phase_changes());
    REQUIRE(sim.moves() <= 1);
  }
}
