#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>

#include <switchyard/switchyard.hpp>

#include "everywhere.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

TEST_CASE("Event: a manual event lets every waiter through until reset", "[event]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Event go;
  std::atomic<int> waiting{0};
  auto setter = rt.spawn("setter", [&] {
    while (waiting.load() < 12) sy::this_task::sleep_for(1ms);
    go.set();
  });
  sy::test::everywhere(rt, 3, 3, [&](int) {
    waiting.fetch_add(1);
    go.wait();
  });
  setter.get();
  REQUIRE(go.is_set());
  REQUIRE(go.try_wait());
  go.reset();
  REQUIRE_FALSE(go.try_wait());
  REQUIRE_FALSE(go.wait_for(5ms));
}

TEST_CASE("Event: an automatic event lets one waiter through per set", "[event]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Event turn(sy::Event::Mode::automatic);
  std::atomic<int> passed{0};
  auto setter = rt.spawn("setter", [&] {
    for (int i = 0; i < 4 * 50; ++i) {
      // One set at a time: wait until the last was passed.
      while (turn.is_set()) sy::this_task::yield();
      turn.set();
    }
  });
  sy::test::everywhere(rt, 1, 1, [&](int) {
    for (int i = 0; i < 50; ++i) {
      turn.wait();
      passed.fetch_add(1);
    }
  });
  setter.get();
  REQUIRE(passed.load() == 200);
  REQUIRE_FALSE(turn.is_set());
  turn.set();
  REQUIRE(turn.try_wait());
  REQUIRE_FALSE(turn.try_wait());
}

TEST_CASE("Event: wait_for gives up on every executor and a thread; shutdown cancels", "[event]") {
  sy::Event never;
  std::vector<sy::Future<bool>> waiters;
  {
    sy::Runtime rt(sy::test::sync_config());
    std::atomic<int> timed_out{0};
    sy::test::everywhere(rt, 1, 1, [&](int) {
      if (!never.wait_for(20ms)) timed_out.fetch_add(1);
    });
    REQUIRE(timed_out.load() == 4);
    for (sy::Placement p : sy::test::kPlacements) {
      waiters.push_back(rt.spawn(
          "waiter",
          [&] {
            never.wait();
            return true;
          },
          sy::on(p)));
    }
    rt.shutdown(50ms);
  }
  for (auto& f : waiters) REQUIRE_THROWS_AS(f.get(), sy::TaskCancelled);
}
