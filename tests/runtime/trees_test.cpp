#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

// fork_join() is a binary tree of `depth` levels: each call above the leaves spawns its two
// children as tasks of its own kind and waits for them; a leaf computes.
std::uint64_t fork_join(sy::Runtime& rt, int depth) {
  if (depth == 0) {
    sy::test::spin_for(20us);
    return 1;
  }
  auto left = rt.spawn("fork-join", [&rt, depth] { return fork_join(rt, depth - 1); });
  auto right = rt.spawn("fork-join", [&rt, depth] { return fork_join(rt, depth - 1); });
  return left.get() + right.get();
}

// skynet() is a tree of `depth` levels in which each parent spawns ten children of its own
// kind and waits for them all; a leaf computes.
std::uint64_t skynet(sy::Runtime& rt, int depth) {
  if (depth == 0) {
    sy::test::spin_for(20us);
    return 1;
  }
  std::vector<sy::Future<std::uint64_t>> children;
  children.reserve(10);
  for (int i = 0; i < 10; ++i) {
    children.push_back(rt.spawn("skynet", [&rt, depth] { return skynet(rt, depth - 1); }));
  }
  std::uint64_t sum = 0;
  for (auto& child : children) sum += child.get();
  return sum;
}

}  // namespace

TEST_CASE("tree-shaped kinds, whose parents wait on their children, move twice at most",
          "[trees]") {
  auto config = sy::test::small_config();
  config.policy.name =
      GENERATE(sy::PolicyName::rules, sy::PolicyName::cost, sy::PolicyName::explore);
  CAPTURE(sy::to_string(config.policy.name));
  sy::Runtime rt(config);
  for (int round = 0; round < 3; ++round) {
    REQUIRE(rt.spawn("fork-join", [&rt] { return fork_join(rt, 11); }).get() == 2048);
    REQUIRE(rt.spawn("skynet", [&rt] { return skynet(rt, 4); }).get() == 10'000);
  }
  const sy::Report report = rt.report();
  int seen = 0;
  for (const auto& k : report.kinds) {
    if (k.name != "fork-join" && k.name != "skynet") continue;
    ++seen;
    CAPTURE(k.name, k.history.size(), k.measured, k.join_share);
    std::string moves;
    for (const auto& move : k.history) moves += sy::to_string(move) + "; ";
    CAPTURE(moves);
    REQUIRE(k.history.size() <= 2);
    REQUIRE(k.join_share > 0);
  }
  REQUIRE(seen == 2);
}
