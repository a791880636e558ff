#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>

#include <switchyard/switchyard.hpp>

#include "everywhere.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

TEST_CASE("ConditionVariable: producers and consumers on every executor and threads",
          "[condition_variable]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Mutex m;
  sy::ConditionVariable not_empty;
  sy::ConditionVariable not_full;
  std::deque<long> queue;  // guarded by m, at most 4 items
  constexpr int kEach = 300;
  constexpr int kProducers = 6;  // ids 0..5 produce, 6..11 consume
  std::atomic<long> sum{0};
  sy::test::everywhere(rt, 3, 3, [&](int id) {
    if (id % 2 == 0) {
      for (long i = 1; i <= kEach; ++i) {
        std::unique_lock lk(m);
        not_full.wait(lk, [&] { return queue.size() < 4; });
        queue.push_back(i);
        not_empty.notify_one();
      }
    } else {
      for (int i = 0; i < kEach; ++i) {
        std::unique_lock lk(m);
        not_empty.wait(lk, [&] { return !queue.empty(); });
        sum.fetch_add(queue.front());
        queue.pop_front();
        not_full.notify_one();
      }
    }
  });
  REQUIRE(sum.load() == kProducers * (kEach * (kEach + 1L) / 2));
}

TEST_CASE("ConditionVariable: notify_all wakes every waiter; wait_for times out",
          "[condition_variable]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Mutex m;
  sy::ConditionVariable cv;
  bool go = false;
  std::atomic<int> timeouts{0};
  sy::test::everywhere(rt, 1, 1, [&](int) {
    std::unique_lock lk(m);
    if (!cv.wait_for(lk, 20ms, [&] { return go; })) timeouts.fetch_add(1);
  });
  REQUIRE(timeouts.load() == 4);

  std::atomic<int> waiting{0};
  sy::Latch all_woken(4);
  auto notifier = rt.spawn("notifier", [&] {
    while (waiting.load() < 4) sy::this_task::sleep_for(1ms);
    std::lock_guard lk(m);
    go = true;
    cv.notify_all();
  });
  sy::test::everywhere(rt, 1, 1, [&](int) {
    std::unique_lock lk(m);
    waiting.fetch_add(1);
    cv.wait(lk, [&] { return go; });
    all_woken.count_down();
  });
  notifier.get();
  REQUIRE(all_woken.try_wait());
}

TEST_CASE("ConditionVariable: works with a std::mutex from a thread", "[condition_variable]") {
  std::mutex m;
  sy::ConditionVariable cv;
  std::unique_lock lk(m);
  REQUIRE(cv.wait_for(lk, 5ms) == std::cv_status::timeout);
  REQUIRE(lk.owns_lock());
}
