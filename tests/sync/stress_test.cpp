#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>

#include <switchyard/switchyard.hpp>

#include "everywhere.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

// rounds() is the work per contender: smaller under the sanitizers' SWITCHYARD_TEST_SMALL.
int rounds() {
  return std::getenv("SWITCHYARD_TEST_SMALL") != nullptr ? 500 : 5000;
}

// short_wait() is 0 to ~60 us from now, varying with `i`: many end while a wake-up races.
std::chrono::microseconds short_wait(int i) {
  return std::chrono::microseconds((i * 7) % 61);
}

}  // namespace

TEST_CASE("stress: no wake-up is lost with tasks and threads racing deadlines", "[sync_stress]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Mutex m;
  long locked = 0;  // guarded by m
  std::atomic<long> lock_count{0};
  sy::Semaphore permits(2);
  sy::Channel<int> rendezvous(0);
  sy::Channel<int> untimed(0);  // its sends and receives balance: 8 senders, 8 receivers
  std::atomic<long> sent{0};
  std::atomic<long> received{0};
  sy::Mutex cv_mutex;
  sy::ConditionVariable cv;
  long ticket = 0;  // guarded by cv_mutex
  const int n = rounds();
  // 4 tasks per executor and 4 threads: even ids send on the channel, odd ids receive, with
  // and without deadlines; everyone takes the mutex and the semaphore, often with deadlines.
  sy::test::everywhere(rt, 4, 4, [&](int id) {
    for (int i = 0; i < n; ++i) {
      if (i % 3 == 0) {
        std::lock_guard lk(m);
        ++locked;
        lock_count.fetch_add(1);
      } else if (m.try_lock_for(short_wait(i))) {
        ++locked;
        lock_count.fetch_add(1);
        // Held across a yield now and then, so that waiters park and their deadlines race
        // the unlock.
        if (i % 4 == 1) sy::this_task::yield();
        m.unlock();
      }
      if (permits.try_acquire_for(short_wait(i + id))) permits.release();
      if (id % 2 == 0) {
        if (rendezvous.send_for(int{i}, short_wait(i))) sent.fetch_add(1);
      } else if (rendezvous.receive_for(short_wait(i + 1))) {
        received.fetch_add(1);
      }
      if (i % 8 == 0) {
        std::unique_lock lk(cv_mutex);
        ++ticket;
        cv.notify_one();
        cv.wait_for(lk, short_wait(i), [&] { return ticket % 2 == 0; });
      }
    }
    // Untimed at the end: a lost wake-up here hangs, and everywhere() reports it.
    for (int i = 0; i < 50; ++i) {
      if (id % 2 == 0) {
        untimed.send(i);
        sent.fetch_add(1);
      } else {
        if (untimed.receive()) received.fetch_add(1);
      }
      std::lock_guard lk(m);
      ++locked;
      lock_count.fetch_add(1);
    }
  });
  REQUIRE(sent.load() == received.load());
  REQUIRE(locked == lock_count.load());
  REQUIRE(permits.available() == 2);
  REQUIRE_FALSE(rendezvous.try_receive());
}
