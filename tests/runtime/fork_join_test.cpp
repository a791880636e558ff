#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include <switchyard/switchyard.hpp>

#include "exec/executor.hpp"
#include "support.hpp"

namespace sy = switchyard;

namespace {

// fork_join() sums the leaves of a binary tree `depth` levels deep: every inner task spawns
// both halves and joins them, the classic recursive fork-join.
std::uint64_t fork_join(sy::Runtime& rt, sy::Placement where, int depth, std::uint64_t first) {
  if (depth == 0) return first;
  const std::uint64_t half = std::uint64_t{1} << (depth - 1);
  auto left = rt.spawn(
      "fork-join", [&rt, where, depth, first] { return fork_join(rt, where, depth - 1, first); },
      sy::on(where));
  auto right = rt.spawn(
      "fork-join",
      [&rt, where, depth, first, half] { return fork_join(rt, where, depth - 1, first + half); },
      sy::on(where));
  return left.get() + right.get();
}

// skynet() sums the leaves of a tree ten wide: every inner task spawns ten children and waits.
std::uint64_t skynet(sy::Runtime& rt, sy::Hint hint, std::uint64_t first, std::uint64_t leaves) {
  if (leaves == 1) return first;
  const std::uint64_t each = leaves / 10;
  std::array<sy::Future<std::uint64_t>, 10> children;
  for (std::uint64_t i = 0; i < 10; ++i) {
    children[i] = rt.spawn(
        "skynet", [&rt, hint, sub = first + i * each, each] { return skynet(rt, hint, sub, each); },
        hint);
  }
  std::uint64_t sum = 0;
  for (auto& child : children) sum += child.get();
  return sum;
}

// A worker's started tasks are one chain of suspended parents as deep as the tree, plus those
// it took on by stealing while it held at most kStealFreshWhileHolding; each started inner
// task has its not yet started children queued beside it. kSlack covers tasks on their way
// between queues.
constexpr std::uint64_t kSlack = 4;

// started_bound() is that for the executors whose workers keep queues of their own: the fiber
// executor and the CPU pool.
std::uint64_t started_bound(const sy::Report& r, std::uint64_t depth) {
  std::uint64_t workers = 0;
  for (const auto& e : r.executors) {
    if (e.placement == sy::Placement::fiber || e.placement == sy::Placement::cpu) {
      workers += e.workers;
    }
  }
  return workers * (sy::detail::Executor::kStealFreshWhileHolding + depth + kSlack);
}

}  // namespace

TEST_CASE("a deep fork-join keeps its tasks within depth x workers", "[fork-join]") {
  // 2^18 - 1 tasks.
  constexpr int kDepth = sy::test::kUnderTsan ? 12 : 17;
  const sy::Placement where = GENERATE(sy::Placement::fiber, sy::Placement::cpu);
  CAPTURE(to_string(where));
  sy::Runtime rt(sy::test::small_config());
  const std::uint64_t sum =
      rt.spawn(
            "fork-join", [&rt, where] { return fork_join(rt, where, kDepth, 0); }, sy::on(where))
          .get();
  const std::uint64_t leaves = std::uint64_t{1} << kDepth;
  REQUIRE(sum == leaves * (leaves - 1) / 2);
  const sy::Report r = rt.report();
  const std::uint64_t bound = started_bound(r, kDepth);
  CAPTURE(r.memory.peak_live_tasks, r.memory.peak_started_tasks, bound);
  CHECK(r.memory.peak_started_tasks <= bound);
  CHECK(r.memory.peak_live_tasks <= 2 * bound);
}

TEST_CASE("a million-task tree finishes with its memory bounded", "[fork-join]") {
  // 1,111,111 tasks (111,111 under a sanitizer, whose tasks are several times larger).
  constexpr std::uint64_t kLeaves =
      sy::test::kUnderAsan || sy::test::kUnderTsan ? 100'000 : 1'000'000;
  constexpr std::uint64_t kLevels = sy::test::kUnderAsan || sy::test::kUnderTsan ? 6 : 7;
  // Placed by hint on either executor with queues of its own, and left to the policy.
  const auto [name, hint] =
      GENERATE(table<const char*, sy::Hint>({{"fiber", sy::on(sy::Placement::fiber)},
                                             {"cpu", sy::on(sy::Placement::cpu)},
                                             {"policy", {}}}));
  CAPTURE(name);
  sy::Runtime rt(sy::test::small_config());
  const std::uint64_t sum =
      rt.spawn(
            "skynet", [&rt, hint = hint] { return skynet(rt, hint, 0, kLeaves); }, hint)
          .get();
  REQUIRE(sum == kLeaves * (kLeaves - 1) / 2);
  const sy::Report r = rt.report();
  const std::uint64_t bound = started_bound(r, kLevels);
  CAPTURE(r.memory.peak_live_tasks, r.memory.peak_started_tasks, bound);
  CHECK(r.memory.peak_started_tasks <= bound);
  CHECK(r.memory.peak_live_tasks <= 10 * bound);
  // Every task ends: soon none holds a record (the root's future resolves just before its record
  // is let go), and at most a stack or two waits for its worker to free it.
  const auto patience = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  sy::Report after = rt.report();
  while (after.memory.live_tasks != 0 && std::chrono::steady_clock::now() < patience) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    after = rt.report();
  }
  CHECK(after.memory.live_tasks == 0);
  CHECK(after.memory.started_tasks <= 4);
}
