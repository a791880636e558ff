#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

sy::Report::KindReport after(sy::Runtime& rt, const char* kind, void (*body)(), int tasks) {
  for (int i = 0; i < tasks; ++i) rt.spawn(kind, body).get();
  for (const auto& k : rt.report().kinds) {
    if (k.name == kind) return k;
  }
  FAIL("kind not in the report");
  return {};
}

}  // namespace

TEST_CASE("without a hint, kinds settle where their measurements say, and failures do not count",
          "[placement]") {
  auto config = sy::test::small_config();
  config.policy.name =
      GENERATE(sy::PolicyName::rules, sy::PolicyName::cost, sy::PolicyName::explore);
  CAPTURE(sy::to_string(config.policy.name));
  const int tasks = static_cast<int>(config.policy.rules.min_samples) + 2;
  sy::Runtime rt(config);
  const auto cpu = after(
      rt, "spin", [] { sy::test::spin_for(5ms); }, tasks);
  const auto blocked = after(
      rt, "usleep", [] { ::usleep(5000); }, tasks);
  const auto waiting = after(
      rt, "sleep", [] { sy::this_task::sleep_for(5ms); }, tasks);
  CAPTURE(cpu.cpu_share, blocked.blocked_share, waiting.wait_share);
  REQUIRE(cpu.placement == sy::Placement::cpu);
  REQUIRE(blocked.placement == sy::Placement::blocking);
  REQUIRE(waiting.placement == sy::Placement::fiber);
  REQUIRE_FALSE(cpu.history.empty());
  REQUIRE(cpu.history.front().from == sy::Placement::fiber);
  REQUIRE(cpu.history.front().to == sy::Placement::cpu);

  // Tasks that fail leave their kind where it was: a failed task ran its error's path, often
  // a short cut (200 connections reset by their peers made an echo server's connection kind
  // look CPU-bound and moved it to the CPU pool, where every later connection held a pool
  // thread in its read). Here the failing tasks compute, as the "spin" kind's do.
  int failures = 0;
  for (int i = 0; i < tasks; ++i) {
    try {
      rt.spawn("fails", [] {
          sy::test::spin_for(5ms);
          throw std::runtime_error("the error's path");
        }).get();
    } catch (const std::runtime_error&) {
      ++failures;
    }
  }
  REQUIRE(failures == tasks);
  const auto failing = after(
      rt, "fails", [] {}, 0);
  CHECK(failing.failed == static_cast<std::uint64_t>(tasks));
  CHECK(failing.placement == sy::Placement::fiber);
  CHECK(failing.history.empty());
}

TEST_CASE("a kind pinned in the config never moves", "[placement]") {
  auto config = sy::test::small_config();
  config.policy.name = GENERATE(sy::PolicyName::rules, sy::PolicyName::cost,
                                sy::PolicyName::explore, sy::PolicyName::fixed);
  CAPTURE(sy::to_string(config.policy.name));
  config.kinds["pinned-spin"].placement = sy::Placement::blocking;
  sy::Runtime rt(config);
  const auto k = after(
      rt, "pinned-spin", [] { sy::test::spin_for(5ms); }, 6);
  REQUIRE(k.placement == sy::Placement::blocking);
  REQUIRE(k.pinned);
  REQUIRE(k.history.empty());
}

TEST_CASE("under the fixed policy, kinds run where the config says and never move", "[placement]") {
  auto config = sy::test::small_config();
  config.policy.name = sy::PolicyName::fixed;
  config.policy.fixed.placement = sy::Placement::blocking;
  config.kinds["sleeper"].placement = sy::Placement::fiber;
  sy::Runtime rt(config);
  const auto spin = after(
      rt, "spin", [] { sy::test::spin_for(5ms); }, 12);
  const auto sleeper = after(
      rt, "sleeper", [] { sy::this_task::sleep_for(1ms); }, 12);
  REQUIRE(spin.placement == sy::Placement::blocking);
  REQUIRE(sleeper.placement == sy::Placement::fiber);
  REQUIRE(spin.task_migrations == 0);
  // Placed once, when first seen, and never again.
  REQUIRE(spin.history.size() == 1);
  REQUIRE(spin.history.front().to == sy::Placement::blocking);
}
