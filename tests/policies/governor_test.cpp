#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <switchyard/cost_policy.hpp>
#include <switchyard/explore_policy.hpp>
#include <switchyard/kind_governor.hpp>
#include <switchyard/move_budget.hpp>
#include <switchyard/rules_policy.hpp>

#include "sample.hpp"
#include "simulation.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;
using sy::Placement;
using sy::test::anywhere;
using sy::test::sample;
using sy::test::Simulation;

namespace {

std::unique_ptr<sy::Policy> make(int which) {
  switch (which) {
    case 0:
      return std::make_unique<sy::RulesPolicy>();
    case 1:
      return std::make_unique<sy::CostPolicy>(sy::PolicyConfig{}, sy::ExecutorsConfig{});
    default:
      return std::make_unique<sy::ExplorePolicy>(sy::PolicyConfig{}, sy::ExecutorsConfig{});
  }
}

// most_in_a_second() is the most moves of `history` within any one second of the clock.
std::size_t most_in_a_second(const std::vector<sy::PlacementChange>& history) {
  std::size_t most = 0;
  for (std::size_t i = 0; i < history.size(); ++i) {
    std::size_t n = 0;
    for (std::size_t j = i; j < history.size() && history[j].at - history[i].at < 1s; ++j) ++n;
    most = std::max(most, n);
  }
  return most;
}

// A parent of a tree: it spawns its children (a little CPU) and waits for them.
sy::TaskSample parent(std::chrono::nanoseconds joined) {
  sy::TaskSample s = sample(2us, 0us, 0us);
  s.joined = joined;
  s.wall += joined;
  return s;
}

// Mixture is one random task behaviour of the property test.
class Mixture {
 public:
  enum class Shape { bimodal, hovering, phases, tree };

  Mixture(std::mt19937& random, Shape shape) : random_(random), shape_(shape) {
    compute_ = std::uniform_real_distribution<double>(0.2, 0.8)(random_);
    burst_ = std::uniform_int_distribution<int>(1, 40)(random_);
    phase_length_ = std::uniform_int_distribution<int>(5, 400)(random_);
  }

  sy::TaskSample next() {
    ++n_;
    switch (shape_) {
      case Shape::bimodal:
        // Tasks of two sorts, in bursts of one sort: what finishes when in a tree.
        if (n_ % burst_ == 0) computing_ = uniform() < compute_;
        return computing_ ? sample(100us, 0us, 0us) : sample(1us, 0us, 100us);
      case Shape::hovering: {
        // The CPU share on a threshold (0.6), give or take its hysteresis.
        const double share = std::clamp(0.6 + 0.15 * (uniform() - 0.5), 0.0, 1.0);
        return sample(std::chrono::nanoseconds{static_cast<std::int64_t>(share * 100'000)}, 0us,
                      std::chrono::nanoseconds{static_cast<std::int64_t>((1 - share) * 100'000)});
      }
      case Shape::phases:
        // Phases of random length, each waiting, computing or blocking.
        if (n_ % phase_length_ == 0) phase_ = std::uniform_int_distribution<int>(0, 2)(random_);
        return phase_ == 0   ? sample(1us, 0us, 100us)
               : phase_ == 1 ? sample(100us, 0us, 0us)
                             : sample(1us, 100us, 0us);
      case Shape::tree:
        // Skynet: nine leaves in ten compute, the parents wait for them, in bursts.
        if (n_ % burst_ == 0) computing_ = uniform() < 0.9;
        return computing_ ? sample(20us, 0us, 0us) : parent(500us);
    }
    return {};
  }

 private:
  double uniform() { return std::uniform_real_distribution<double>(0, 1)(random_); }

  std::mt19937& random_;
  Shape shape_;
  double compute_ = 0.5;
  int burst_ = 1;
  int phase_length_ = 1;
  int phase_ = 0;
  bool computing_ = false;
  std::uint64_t n_ = 0;
};

}  // namespace

TEST_CASE("governor: no mixture of behaviours moves a kind more than its budget allows",
          "[governor]") {
  constexpr auto kRuns = 300;
  // Every move spends from the budget, but for a rescue from the fibers, which needs the
  // kind on the fibers, where only a move that spends can have brought it back.
  constexpr std::size_t kBudgeted = sy::MoveBudget::kBurst + 1s / sy::MoveBudget::kRefill;
  for (std::uint32_t seed = 1; seed <= kRuns; ++seed) {
    std::mt19937 random(seed);
    const auto policy = make(static_cast<int>(seed % 3));
    const auto shape = static_cast<Mixture::Shape>(seed / 3 % 4);
    const bool stalls = seed % 5 == 0;
    Simulation sim(*policy, Placement::fiber, seed % 2 == 0);
    sim.inflight = std::uniform_int_distribution<std::uint32_t>(1, 200)(random);
    sim.lag = std::uniform_int_distribution<std::size_t>(0, 20)(random);
    // From 20 us a task (flapping would be dozens of moves in a millisecond) to 5 ms.
    sim.step = std::chrono::microseconds{std::uniform_int_distribution<int>(20, 5000)(random)};
    Mixture mixture(random, shape);
    for (int task = 0; task < 5000; ++task) {
      sim.run(1, [&mixture](Placement) { return mixture.next(); });
      if (stalls && std::uniform_int_distribution<int>(0, 200)(random) == 0) sim.stall();
    }
    const auto seconds = std::chrono::duration<double>(sim.now).count();
    const double refills = sim.now / std::chrono::duration<double>(sy::MoveBudget::kRefill);
    CAPTURE(seed, policy->name(), static_cast<int>(shape), stalls, sim.step.count(), seconds,
            sim.moves());
    const auto& history = sim.governor().history();
    REQUIRE(static_cast<std::size_t>(sim.moves()) == history.size());
    REQUIRE(most_in_a_second(history) <= (stalls ? 2 * kBudgeted + 1 : kBudgeted));
    REQUIRE(static_cast<double>(sim.moves()) <=
            (stalls ? 2 : 1) * (sy::MoveBudget::kBurst + refills) + 1);
  }
}

TEST_CASE("governor: a kind that truly changes phase is re-placed within a few tasks",
          "[governor]") {
  constexpr int kFewTasks = 16;
  for (std::uint32_t seed = 1; seed <= 60; ++seed) {
    std::mt19937 random(seed);
    const auto policy = make(static_cast<int>(seed % 2));  // the explorer's trials aside
    Simulation sim(*policy, Placement::fiber);
    sim.inflight = 4;
    sim.step = std::chrono::microseconds{std::uniform_int_distribution<int>(20, 5000)(random)};
    // Whatever it did before...
    Mixture mixture(random, static_cast<Mixture::Shape>(seed % 4));
    sim.run(std::uniform_int_distribution<int>(0, 3000)(random),
            [&mixture](Placement) { return mixture.next(); });
    // ...it settles into waiting for a while: its budget refills, a tree's joins are forgotten...
    const auto settled = sim.now + 3 * sy::MoveBudget::kRefill;
    for (std::uint64_t n = 0; n < sy::KindGovernor::kJoinMemory || sim.now < settled; ++n) {
      sim.run(1, anywhere(sample(1us, 0us, 100us)));
    }
    REQUIRE(sim.current() == Placement::fiber);
    // ...then turns to computing, and is on the CPU pool a few tasks later.
    int tasks = 0;
    while (sim.current() != Placement::cpu && tasks < 1000) {
      sim.run(1, anywhere(sample(100us, 0us, 0us)));
      ++tasks;
    }
    CAPTURE(seed, policy->name(), sim.step.count());
    REQUIRE(tasks <= kFewTasks);
  }
}

TEST_CASE("governor: a tree whose parents wait on their children stays on the fibers",
          "[governor]") {
  // Leaves compute and finish first, in bursts; their parents finish last, having waited.
  for (const bool leaves_first : {true, false}) {
    sy::RulesPolicy policy;
    Simulation sim(policy, Placement::fiber);
    sim.step = 1us;  // a million tasks a second
    for (int round = 0; round < 200; ++round) {
      if (leaves_first) sim.run(90, anywhere(sample(20us, 0us, 0us)));
      sim.run(10, anywhere(parent(2ms)));
      if (!leaves_first) sim.run(90, anywhere(sample(20us, 0us, 0us)));
    }
    CAPTURE(leaves_first);
    REQUIRE(sim.current() == Placement::fiber);
    // The first leaves may have taken it to the CPU pool before any parent had finished.
    REQUIRE(sim.moves() <= (leaves_first ? 2 : 0));
    REQUIRE(sim.profile().join_share() > 0.5);
    REQUIRE(sim.profile().active_cpu_share() > 0.9);
    // Once its tasks stop joining, its measurements speak again (in a budget refilled).
    sim.step = 10ms;
    sim.run(static_cast<int>(sy::KindGovernor::kJoinMemory) + 20, anywhere(sample(20us, 0us, 0us)));
    REQUIRE(sim.current() == Placement::cpu);
  }
}

TEST_CASE("governor: measurements that swing every few tasks spend the budget, then wait",
          "[governor]") {
  // Parents whose joins were counted as waiting: what made a tree flap.
  sy::RulesPolicy policy;
  Simulation sim(policy, Placement::fiber);
  sim.step = 1us;
  for (int round = 0; round < 200; ++round) {
    sim.run(20, anywhere(sample(20us, 0us, 0us)));
    sim.run(20, anywhere(sample(1us, 0us, 2ms)));
  }
  REQUIRE(sim.moves() == sy::MoveBudget::kBurst);  // 8,000 us: no refill yet
  sim.step = 1ms;
  for (int round = 0; round < 50; ++round) {
    sim.run(20, anywhere(sample(20us, 0us, 0us)));
    sim.run(20, anywhere(sample(1us, 0us, 2ms)));
  }
  // Two seconds more: two seconds' refills more at most.
  REQUIRE(sim.moves() <= sy::MoveBudget::kBurst + 2s / sy::MoveBudget::kRefill);
}

TEST_CASE("governor: pinned kinds never move; callables never go to the shards", "[governor]") {
  sy::RulesPolicy rules;
  Simulation pinned(rules, Placement::fiber, true, Placement::blocking);
  pinned.run(100, anywhere(sample(10ms, 0ms, 0ms)));
  for (int i = 0; i < 4; ++i) pinned.stall();
  REQUIRE(pinned.current() == Placement::blocking);
  REQUIRE(pinned.moves() == 0);
  sy::ExplorePolicy explore(sy::PolicyConfig{}, sy::ExecutorsConfig{});
  Simulation callable(explore, Placement::fiber);
  callable.inflight = 100;
  callable.run(400, anywhere(sample(10ms, 0ms, 0ms)));
  REQUIRE(callable.ran_on(Placement::shard) == 0);
  REQUIRE(callable.current() != Placement::shard);
}

TEST_CASE("governor: stalls speak for a kind once it was caught twice, and are remembered",
          "[governor]") {
  sy::RulesPolicy policy;
  Simulation sim(policy, Placement::fiber);
  sim.run(20, anywhere(sample(1us, 0us, 1ms)));
  sim.stall();
  REQUIRE(sim.current() == Placement::fiber);  // once can be the OS's doing
  sim.stall();
  REQUIRE(sim.current() == Placement::blocking);
  // A window of tasks later the stalls stop speaking, and the kind may go back...
  sim.step = 100ms;
  sim.run(static_cast<int>(sy::KindProfile::kWindow) + 10, anywhere(sample(1us, 0us, 1ms)));
  REQUIRE(sim.current() == Placement::fiber);
  // ...and the next time, it is remembered twice as long.
  sim.stall();
  sim.stall();
  REQUIRE(sim.current() == Placement::blocking);
  sim.run(static_cast<int>(sy::KindProfile::kWindow) + 10, anywhere(sample(1us, 0us, 1ms)));
  REQUIRE(sim.current() == Placement::blocking);
}
