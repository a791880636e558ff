#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;

TEST_CASE("a task's value and exception reach its future on every executor", "[futures]") {
  const sy::Placement where =
      GENERATE(sy::Placement::fiber, sy::Placement::cpu, sy::Placement::blocking);
  CAPTURE(sy::to_string(where));
  sy::Runtime rt(sy::test::small_config());

  auto value = rt.spawn(
      "value", [] { return std::string("forty-two"); }, sy::on(where));
  auto thrown = rt.spawn(
      "throws", []() -> int { throw std::runtime_error("boom from a task"); }, sy::on(where));
  auto nothing = rt.spawn(
      "void", [] {}, sy::on(where));
  auto ran_on = rt.spawn(
      "where", [] { return sy::this_task::placement(); }, sy::on(where));

  REQUIRE(value.get() == "forty-two");
  REQUIRE_THROWS_WITH(thrown.get(), "boom from a task");
  REQUIRE_NOTHROW(nothing.get());
  REQUIRE(ran_on.get() == where);
}

TEST_CASE("get() suspends a task and blocks a plain thread", "[futures]") {
  sy::Runtime rt(sy::test::small_config());
  // A parent on the fiber executor waits for a child on the CPU pool: the wait suspends the
  // parent fiber, so its worker stays free for the other fibers spawned below.
  auto parent = rt.spawn("parent", [&rt] {
    auto child = rt.spawn(
        "child", [] { return 7; }, sy::on(sy::Placement::cpu));
    return child.get() * 6;
  });
  std::vector<sy::Future<int>> others;
  for (int i = 0; i < 100; ++i) others.push_back(rt.spawn("other", [i] { return i; }));
  int sum = 0;
  for (auto& f : others) sum += f.get();
  REQUIRE(sum == 4950);
  REQUIRE(parent.get() == 42);

  // From another plain thread too.
  int from_thread = 0;
  std::thread t([&] { from_thread = rt.spawn("t", [] { return 5; }).get(); });
  t.join();
  REQUIRE(from_thread == 5);
}

TEST_CASE("wait_all returns once every future is ready, whatever order they finish in",
          "[futures]") {
  using namespace std::chrono_literals;
  sy::Runtime rt(sy::test::small_config());
  // The oldest task finishes last, so waiting on the newest first is not enough.
  auto batch = [&rt] {
    std::vector<sy::Future<int>> fs;
    for (int i = 0; i < 20; ++i) {
      fs.push_back(rt.spawn("staggered", [i] {
        sy::this_task::sleep_for(std::chrono::milliseconds(i == 0 ? 40 : i));
        return i;
      }));
    }
    return fs;
  };
  SECTION("from a plain thread") {
    auto fs = batch();
    sy::wait_all(fs);
    for (const auto& f : fs) REQUIRE(f.ready());
  }
  SECTION("from a task, which suspends") {
    auto all_ready = rt.spawn("waiter", [&] {
      auto fs = batch();
      sy::wait_all(fs);
      bool ready = true;
      for (const auto& f : fs) ready = ready && f.ready();
      return ready;
    });
    REQUIRE(all_ready.get());
  }
}

TEST_CASE("a future is single-use and says so", "[futures]") {
  sy::Runtime rt(sy::test::small_config());
  auto f = rt.spawn("once", [] { return 1; });
  REQUIRE(f.valid());
  REQUIRE(f.get() == 1);
  REQUIRE_FALSE(f.valid());
  REQUIRE_THROWS_AS(f.get(), std::logic_error);
  REQUIRE_THROWS_AS(f.wait(), std::logic_error);
}

TEST_CASE("spawn rejects a shard hint for a callable with a clear error", "[futures]") {
  sy::Runtime rt(sy::test::small_config());
  REQUIRE_THROWS_WITH(rt.spawn(
                          "x", [] { return 1; }, sy::on(sy::Placement::shard)),
                      Catch::Contains("registered tasks only"));
}

TEST_CASE("children a busy task spawns are started by an idle sibling worker", "[futures]") {
  auto config = sy::test::small_config();
  config.executors.fiber_workers = 2;
  sy::Runtime rt(config);
  using Clock = std::chrono::steady_clock;
  auto parent = rt.spawn(
      "parent",
      [&rt] {
        std::vector<sy::Future<Clock::time_point>> children;
        for (int i = 0; i < 4; ++i) {
          children.push_back(rt.spawn(
              "child", [] { return Clock::now(); }, sy::on(sy::Placement::fiber)));
        }
        // The parent keeps its worker busy without suspending; the children must not wait
        // for it when the other worker is idle.
        sy::test::spin_for(std::chrono::milliseconds(300));
        const auto parent_done = Clock::now();
        int started_before = 0;
        for (auto& c : children) started_before += c.get() < parent_done ? 1 : 0;
        return started_before;
      },
      sy::on(sy::Placement::fiber));
  REQUIRE(parent.get() >= 1);
}
