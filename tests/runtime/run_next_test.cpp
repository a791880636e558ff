#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

// kMaxRounds ends a ping-pong that nothing else ends; kFairRounds is how many round trips (two
// picks each) a third task on the pair's worker may wait for, far more than the scheduler's
// bound and far fewer than kMaxRounds.
constexpr std::uint64_t kMaxRounds = 2'000'000;
constexpr std::uint64_t kFairRounds = 1'000;

// PingPong is a pair of tasks passing a number back and forth over two rendezvous channels
// until stop is set (or kMaxRounds); `rounds` counts the round trips. `third` runs in the
// driving task before its first send.
struct PingPong {
  sy::Channel<std::uint64_t> ping{0};
  sy::Channel<std::uint64_t> pong{0};
  std::atomic<std::uint64_t> rounds{0};
  std::atomic<bool> stop{false};

  template <class Third>
  void run(sy::Runtime& rt, sy::Placement where, Third third) {
    auto echo = rt.spawn(
        "echo",
        [this] {
          for (std::uint64_t v : ping) pong.send(v);
        },
        sy::on(where));
    auto driver = rt.spawn(
        "driver",
        [this, third] {
          third();
          for (std::uint64_t i = 0; i < kMaxRounds && !stop.load(); ++i) {
            ping.send(i);
            pong.receive();
            rounds.store(i + 1);
          }
          ping.close();
        },
        sy::on(where));
    driver.get();
    echo.get();
  }
};

}  // namespace

TEST_CASE("run next: a ping-pong pair does not starve a task spawned beside it", "[run-next]") {
  const sy::Placement where = GENERATE(sy::Placement::fiber, sy::Placement::cpu);
  sy::Runtime rt(sy::test::one_worker());
  PingPong pair;
  std::atomic<std::uint64_t> ran_after{kMaxRounds};
  sy::Future<void> third;
  pair.run(rt, where, [&] {
    // Spawned from the driver, on its worker: it waits there behind the pair.
    third = rt.spawn(
        "third",
        [&] {
          ran_after.store(pair.rounds.load());
          pair.stop.store(true);
        },
        sy::on(where));
  });
  third.get();
  INFO("the third task ran after " << ran_after.load() << " round trips");
  REQUIRE(ran_after.load() <= kFairRounds);
}

TEST_CASE("run next: a ping-pong pair does not starve a task woken beside it", "[run-next]") {
  const sy::Placement where = GENERATE(sy::Placement::fiber, sy::Placement::cpu);
  sy::Runtime rt(sy::test::one_worker());
  PingPong pair;
  sy::Event go;
  std::atomic<std::uint64_t> ran_after{kMaxRounds};
  auto third = rt.spawn(
      "third",
      [&] {
        go.wait();
        ran_after.store(pair.rounds.load());
        pair.stop.store(true);
      },
      sy::on(where));
  // Woken by the driver, the third task takes the run-next slot, and the echoing task takes
  // it back at the first send: the third waits in the queue while the pair wakes each other.
  pair.run(rt, where, [&] { go.set(); });
  third.get();
  INFO("the third task ran after " << ran_after.load() << " round trips");
  REQUIRE(ran_after.load() <= kFairRounds);
}

TEST_CASE("run next: an idle worker takes a woken task from a waker that keeps computing",
          "[run-next]") {
  const sy::Placement where = GENERATE(sy::Placement::fiber, sy::Placement::cpu);
  auto config = sy::test::small_config();
  config.executors.fiber_workers = 2;
  config.executors.cpu_threads = 2;
  config.executors.watchdog = false;
  sy::Runtime rt(config);
  sy::Event go;
  std::atomic<bool> computing{false};
  std::atomic<bool> woken_ran{false};
  auto woken = rt.spawn(
      "woken",
      [&] {
        go.wait();
        woken_ran.store(true);
        return sy::test::thread_tid();
      },
      sy::on(where));
  // The waker keeps its worker: the task it woke sits in its run-next slot.
  auto waker = rt.spawn(
      "waker",
      [&] {
        go.set();
        computing.store(true);
        const auto until = std::chrono::steady_clock::now() + 30s;
        while (!woken_ran.load() && std::chrono::steady_clock::now() < until) {
        }
        return sy::test::thread_tid();
      },
      sy::on(where));
  while (!computing.load()) std::this_thread::sleep_for(1ms);
  // Long enough for the other worker to have gone to sleep; one task wakes it, and once that
  // is done it has nothing else to run: it waits out the waker and takes the woken task.
  std::this_thread::sleep_for(10ms);
  rt.spawn(
        "poke", [] {}, sy::on(where))
      .get();
  REQUIRE(waker.get() != woken.get());
  REQUIRE(woken_ran.load());
}

TEST_CASE("run next: a ping-pong pair shares one worker of two", "[run-next]") {
  auto config = sy::test::small_config();
  config.executors.fiber_workers = 2;
  config.executors.watchdog = false;
  sy::Runtime rt(config);
  constexpr std::uint64_t kRounds = 20'000;
  sy::Channel<long> ping(0);
  sy::Channel<long> pong(0);
  auto echo = rt.spawn(
      "echo",
      [&] {
        for (long unused : ping) {
          (void)unused;
          pong.send(sy::test::thread_tid());
        }
      },
      sy::on(sy::Placement::fiber));
  auto driver = rt.spawn(
      "driver",
      [&] {
        std::uint64_t apart = 0;
        for (std::uint64_t i = 0; i < kRounds; ++i) {
          ping.send(sy::test::thread_tid());
          if (pong.receive() != sy::test::thread_tid()) ++apart;
        }
        ping.close();
        return apart;
      },
      sy::on(sy::Placement::fiber));
  const std::uint64_t apart = driver.get();
  echo.get();
  // The OS may preempt the worker the pair runs on, and the other worker then takes the
  // waiting one; the next wake-up brings it back.
  INFO(apart << " of " << kRounds << " round trips had the pair on two threads");
  REQUIRE(apart <= kRounds / 4);
}
