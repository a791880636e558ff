#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <mutex>
#include <optional>

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

TEST_CASE("stress: selects over sends and receives racing deadlines lose and repeat no value",
          "[sync_stress]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Channel<long> a(0, "stress-a");  // named: its counters race too
  sy::Channel<long> b(0);
  sy::Channel<long> c(2);
  std::atomic<long> sent{0}, sent_sum{0}, received{0}, received_sum{0};
  const int n = rounds() / 5;
  auto got = [&](const std::optional<long>& v) {
    if (!v) return;
    received.fetch_add(1);
    received_sum.fetch_add(*v);
  };
  sy::test::everywhere(rt, 4, 4, [&](int id) {
    for (int i = 0; i < n; ++i) {
      const long value = long{id} * 1'000'000 + i;
      long v = value;
      std::optional<long> x, y;
      std::optional<std::size_t> which;
      switch ((id + i) % 3) {
        case 0:
          which = sy::select(short_wait(i), sy::send_to(a, v), sy::send_to(c, v),
                             sy::receive_into(b, x));
          if (which && *which < 2) {
            sent.fetch_add(1);
            sent_sum.fetch_add(value);
          }
          break;
        case 1:
          which = sy::select(short_wait(i + 1), sy::receive_into(a, x), sy::receive_into(c, y),
                             sy::send_to(b, v));
          if (which == 2) {
            sent.fetch_add(1);
            sent_sum.fetch_add(value);
          }
          break;
        default:
          which = sy::select(short_wait(i + 2), sy::send_to(b, v), sy::receive_into(a, x));
          if (which == 0) {
            sent.fetch_add(1);
            sent_sum.fetch_add(value);
          }
          break;
      }
      got(x);
      got(y);
    }
  });
  while (auto v = c.try_receive()) got(v);
  REQUIRE(sent.load() == received.load());
  REQUIRE(sent_sum.load() == received_sum.load());
  REQUIRE_FALSE(a.try_receive());
  REQUIRE_FALSE(b.try_receive());
}
