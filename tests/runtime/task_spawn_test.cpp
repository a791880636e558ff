#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

constexpr sy::Placement kPlacements[] = {sy::Placement::fiber, sy::Placement::cpu,
                                         sy::Placement::blocking};

// fib() spawns fib(n - 1) as a task of its own, pinned to `p`, holding no Runtime&; a task
// that finds itself anywhere but `p` counts in `misplaced`.
std::uint64_t fib(int n, sy::Placement p, std::atomic<int>& misplaced) {
  if (sy::this_task::placement() != p) misplaced.fetch_add(1);
  if (n < 2) return static_cast<std::uint64_t>(n);
  auto first = sy::this_task::spawn(
      "fib", [n, p, &misplaced] { return fib(n - 1, p, misplaced); }, sy::on(p));
  const std::uint64_t second = fib(n - 2, p, misplaced);
  return first.get() + second;
}

}  // namespace

TEST_CASE("this_task::spawn: a recursive fib on each executor, without a Runtime&",
          "[task-spawn]") {
  const sy::Placement where =
      GENERATE(sy::Placement::fiber, sy::Placement::cpu, sy::Placement::blocking);
  CAPTURE(sy::to_string(where));
  sy::Runtime rt(sy::test::small_config());
  std::atomic<int> misplaced{0};
  auto root = rt.spawn(
      "fib", [&] { return fib(14, where, misplaced); }, sy::on(where));
  REQUIRE(root.get() == 377);
  REQUIRE(misplaced.load() == 0);
  // Without a hint the policy places the children, as it does Runtime::spawn()'s.
  auto unhinted = rt.spawn("sum", [] {
    std::vector<sy::Future<int>> parts;
    for (int i = 0; i < 10; ++i) parts.push_back(sy::this_task::spawn("part", [i] { return i; }));
    int sum = 0;
    for (auto& f : parts) sum += f.get();
    return sum;
  });
  REQUIRE(unhinted.get() == 45);
}

TEST_CASE("this_task::spawn: outside a task it throws std::logic_error; a shard hint is refused",
          "[task-spawn]") {
  REQUIRE_THROWS_MATCHES(
      sy::this_task::spawn("orphan", [] { return 1; }), std::logic_error,
      Catch::Matchers::Message("switchyard::this_task::spawn: not inside a task (spawn through "
                               "a Runtime instead)"));
  sy::Runtime rt(sy::test::small_config());
  auto shard = rt.spawn("parent", [] {
    try {
      (void)sy::this_task::spawn(
          "child", [] { return 1; }, sy::on(sy::Placement::shard));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("spawned");
  });
  REQUIRE_THAT(shard.get(), Catch::Matchers::Contains("cannot place a callable in a shard"));
}

TEST_CASE("this_task::spawn: a group member's children join its group", "[task-spawn]") {
  sy::Runtime rt(sy::test::small_config());

  SECTION("the group waits for children its members left running") {
    std::atomic<int> ended{0};
    sy::TaskGroup group(rt);
    for (const sy::Placement p : kPlacements) {
      group.spawn(
          "parent",
          [&ended, p] {
            for (int i = 0; i < 5; ++i) {
              // Grandchildren too: a child's children are members as well.
              (void)sy::this_task::spawn(
                  "child",
                  [&ended, p] {
                    (void)sy::this_task::spawn(
                        "grandchild",
                        [&ended] {
                          sy::this_task::sleep_for(20ms);
                          ended.fetch_add(1);
                        },
                        sy::on(p));
                    sy::this_task::sleep_for(10ms);
                    ended.fetch_add(1);
                  },
                  sy::on(p));
            }
          },
          sy::on(p));
    }
    group.wait();
    REQUIRE(ended.load() == 30);
    REQUIRE(group.running() == 0);
  }

  SECTION("cancelling the group cancels them, and a later spawn never starts") {
    std::atomic<int> parked{0};
    std::atomic<int> unwound{0};
    std::atomic<bool> late_ran{false};
    std::vector<sy::Future<sy::Future<void>>> parents;
    sy::Event cancelled;
    sy::TaskGroup group(rt);
    for (const sy::Placement p : kPlacements) {
      parents.push_back(group.spawn(
          "parent",
          [&, p] {
            auto child = sy::this_task::spawn(
                "child",
                [&] {
                  parked.fetch_add(1);
                  try {
                    sy::this_task::sleep_for(std::chrono::hours(1));
                  } catch (const sy::TaskCancelled&) {
                    unwound.fetch_add(1);
                    throw;
                  }
                },
                sy::on(p));
            // A parent that outlives the cancellation: its next spawn is cancelled at once.
            try {
              cancelled.wait();
            } catch (const sy::TaskCancelled&) {
            }
            return sy::this_task::spawn("late", [&] { late_ran = true; });
          },
          sy::on(p)));
    }
    while (parked.load() < 3) std::this_thread::sleep_for(1ms);
    group.cancel();
    cancelled.set();
    group.wait();
    REQUIRE(unwound.load() == 3);
    for (auto& parent : parents) {
      auto late = parent.get();
      REQUIRE_THROWS_AS(late.get(), sy::TaskCancelled);
    }
    REQUIRE_FALSE(late_ran.load());
  }

  SECTION("a child's failure cancels the group and is rethrown by wait()") {
    // The deadline only bounds the test: a failure that cancelled nothing leaves the sleeper.
    sy::TaskGroup group(rt, 60s);
    auto sleeper = group.spawn("sleeper", [] { sy::this_task::sleep_for(std::chrono::hours(1)); });
    group.spawn("parent", [] {
      (void)sy::this_task::spawn("failer", [] { throw std::runtime_error("child failed"); });
    });
    REQUIRE_THROWS_WITH(group.wait(), "child failed");
    REQUIRE_THROWS_AS(sleeper.get(), sy::TaskCancelled);
  }

  SECTION("a task outside any group spawns children outside any group") {
    std::atomic<bool> child_ran{false};
    sy::Future<void> child;
    {
      sy::TaskGroup group(rt);
      auto detached = rt.spawn("outsider", [&] {
        return sy::this_task::spawn("child", [&] {
          sy::this_task::sleep_for(20ms);
          child_ran = true;
        });
      });
      child = detached.get();
      group.cancel();
      group.wait();
    }
    child.get();
    REQUIRE(child_ran.load());
  }
}

TEST_CASE("this_task::spawn: once shutdown has begun the child's future resolves", "[task-spawn]") {
  const sy::Placement where =
      GENERATE(sy::Placement::fiber, sy::Placement::cpu, sy::Placement::blocking);
  CAPTURE(sy::to_string(where));

  SECTION("shutdown() from another thread") {
    sy::Runtime rt(sy::test::small_config());
    std::atomic<bool> spawning{false};
    auto spawner = rt.spawn(
        "spawner",
        [&spawning] {
          spawning = true;
          for (;;) {
            auto child = sy::this_task::spawn("child", [] { return 1; });
            try {
              (void)child.get();
            } catch (const sy::RuntimeStopped&) {
              return std::string("stopped");
            }
            sy::this_task::yield();
          }
        },
        sy::on(where));
    while (!spawning.load()) std::this_thread::sleep_for(1ms);
    std::thread stopper([&rt] { (void)rt.shutdown(30s); });
    REQUIRE(spawner.get() == "stopped");
    stopper.join();
  }

  SECTION("a task destroys its own Runtime, then spawns") {
    auto rt = std::make_unique<sy::Runtime>(sy::test::small_config());
    auto owner = rt->spawn(
        "owner",
        [&rt] {
          rt.reset();  // the runtime shuts down later, on another thread
          // Its children go through the task's own runtime, not the Runtime just destroyed.
          const auto until = std::chrono::steady_clock::now() + 60s;
          while (std::chrono::steady_clock::now() < until) {
            auto child = sy::this_task::spawn("child", [] { return 1; });
            try {
              (void)child.get();
            } catch (const sy::RuntimeStopped& e) {
              return std::string(e.what());
            } catch (const sy::TaskCancelled&) {
              // Spawned before shutdown began, not started by the end of its grace.
            }
            sy::this_task::yield();
          }
          return std::string("never stopped");
        },
        sy::on(where));
    REQUIRE_THAT(owner.get(), Catch::Matchers::Contains("after the runtime began to shut down"));
  }
}
