#include <catch2/catch.hpp>

#include <chrono>

#include <switchyard/fixed_policy.hpp>

#include "sample.hpp"
#include "simulation.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;
using sy::Placement;
using sy::test::anywhere;
using sy::test::sample;
using sy::test::Simulation;

TEST_CASE("fixed: every kind runs where the config says, whatever it does", "[fixed]") {
  sy::FixedPolicy policy;  // placement = "fiber"
  Simulation sim(policy, Placement::blocking);
  REQUIRE(sim.current() == Placement::fiber);  // placed when first seen
  sim.run(200, anywhere(sample(10ms, 0ms, 0ms)));
  REQUIRE(sim.current() == Placement::fiber);
  sim.run(200, anywhere(sample(0ms, 10ms, 0ms)));
  REQUIRE(sim.current() == Placement::fiber);
  REQUIRE(sim.moves() == 1);
}

TEST_CASE("fixed: [policy.fixed] placement, pins, and shards only for registered tasks",
          "[fixed]") {
  sy::FixedConfig params;
  params.placement = Placement::shard;
  sy::FixedPolicy policy(params);
  Simulation callable(policy, Placement::fiber);
  REQUIRE(callable.current() == Placement::fiber);
  Simulation registered(policy, Placement::fiber, true);
  registered.place();
  REQUIRE(registered.current() == Placement::shard);
  Simulation pinned(policy, Placement::fiber, false, Placement::blocking);
  pinned.run(50, anywhere(sample(0ms, 0ms, 10ms)));
  REQUIRE(pinned.current() == Placement::blocking);
}
