#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

TEST_CASE("shutdown with tasks in flight resolves every future", "[shutdown]") {
  auto config = sy::test::small_config();
  config.executors.cpu_threads = 1;
  const auto threads_before = sy::test::thread_count();
  std::vector<sy::Future<int>> sleepers;
  std::vector<sy::Future<int>> quick;
  std::vector<sy::Future<int>> queued;
  sy::Future<int> late;
  sy::ShutdownSummary summary;
  {
    sy::Runtime rt(config);
    for (int i = 0; i < 50; ++i) {
      sleepers.push_back(rt.spawn("sleeper", [] {
        sy::this_task::sleep_for(1h);
        return 1;
      }));
    }
    // Pinned to fibers: left to the policy, these all-CPU tasks would follow the blocker.
    for (int i = 0; i < 50; ++i) {
      quick.push_back(rt.spawn(
          "quick", [i] { return i; }, sy::on(sy::Placement::fiber)));
    }
    // One CPU thread kept busy until the grace period has expired (the sleepers are cancelled
    // then) keeps these queued past it, however loaded the machine is.
    const sy::Future<int>* first_sleeper = &sleepers.front();
    auto blocker = rt.spawn(
        "blocker",
        [first_sleeper] {
          while (!first_sleeper->ready()) sy::test::spin_for(1ms);
          return 0;
        },
        sy::on(sy::Placement::cpu));
    for (int i = 0; i < 20; ++i) {
      queued.push_back(rt.spawn(
          "queued", [] { return 1; }, sy::on(sy::Placement::cpu)));
    }
    summary = rt.shutdown(1s);
    late = rt.spawn("late", [] { return 1; });
    REQUIRE(blocker.get() == 0);
  }
  for (auto& f : sleepers) REQUIRE_THROWS_AS(f.get(), sy::TaskCancelled);
  int sum = 0;
  for (auto& f : quick) sum += f.get();
  REQUIRE(sum == 50 * 49 / 2);
  for (auto& f : queued) REQUIRE_THROWS_AS(f.get(), sy::TaskCancelled);
  REQUIRE_THROWS_AS(late.get(), sy::RuntimeStopped);
  REQUIRE(summary.kinds.at("sleeper").cancelled == 50);
  REQUIRE(summary.kinds.at("queued").cancelled == 20);
  REQUIRE(summary.kinds.at("blocker").finished == 1);
  REQUIRE(sy::test::thread_count() == threads_before);
}

TEST_CASE("the destructor finishes quick tasks without waiting for the grace period",
          "[shutdown]") {
  auto config = sy::test::small_config();
  config.executors.shutdown_grace = 1h;
  std::atomic<int> done{0};
  const auto start = std::chrono::steady_clock::now();
  {
    sy::Runtime rt(config);
    for (int i = 0; i < 1000; ++i) {
      (void)rt.spawn("fire-and-forget", [&done] { done.fetch_add(1); });
    }
  }
  REQUIRE(done.load() == 1000);
  REQUIRE(std::chrono::steady_clock::now() - start < 10min);
}

TEST_CASE("report() may be called while another thread shuts the runtime down", "[shutdown]") {
  for (int round = 0; round < 20; ++round) {
    sy::Runtime rt(sy::test::small_config());
    for (int i = 0; i < 50; ++i) (void)rt.spawn("k", [i] { return i; });
    std::atomic<bool> stop{false};
    std::thread reader([&] {
      while (!stop.load()) (void)rt.report();
    });
    rt.shutdown(100ms);
    stop = true;
    reader.join();
    REQUIRE(rt.report().executors.size() == 3);
  }
}

TEST_CASE("a task that destroys its own runtime ends it once the task has returned", "[shutdown]") {
  const sy::Placement where =
      GENERATE(sy::Placement::fiber, sy::Placement::cpu, sy::Placement::blocking);
  CAPTURE(sy::to_string(where));
  const auto threads_before = sy::test::thread_count();
  auto rt = std::make_unique<sy::Runtime>(sy::test::small_config());
  auto sleeper = rt->spawn("sleeper", [] {
    sy::this_task::sleep_for(50ms);
    return 1;
  });
  auto owner = rt->spawn(
      "owner",
      [&rt] {
        rt.reset();
        // The runtime is still there for the rest of the task: its waits still work.
        sy::this_task::sleep_for(10ms);
        return 7;
      },
      sy::on(where));
  REQUIRE(owner.get() == 7);
  REQUIRE(sleeper.get() == 1);
  // Its workers end soon after the task that destroyed it.
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (sy::test::thread_count() > threads_before && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(sy::test::thread_count() <= threads_before);
}
