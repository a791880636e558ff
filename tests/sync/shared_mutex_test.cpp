#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>

#include <switchyard/switchyard.hpp>

#include "everywhere.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

TEST_CASE("SharedMutex: readers share, a writer excludes, on every executor and threads",
          "[shared_mutex]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::SharedMutex m;
  long a = 0;
  long b = 0;  // a == b outside a writer's section
  std::atomic<int> torn{0};
  std::atomic<int> readers_together{0};
  std::atomic<int> readers{0};
  constexpr int kRounds = 300;
  sy::test::everywhere(rt, 3, 3, [&](int id) {
    for (int i = 0; i < kRounds; ++i) {
      if ((i + id) % 4 == 0) {
        std::unique_lock lk(m);
        ++a;
        if (i % 8 == 0) sy::this_task::yield();
        ++b;
      } else {
        std::shared_lock lk(m);
        if (readers.fetch_add(1) > 0) readers_together.fetch_add(1);
        if (a != b) torn.fetch_add(1);
        if (i % 8 == 1) sy::this_task::yield();
        readers.fetch_sub(1);
      }
    }
  });
  REQUIRE(torn.load() == 0);
  REQUIRE(a == b);
  REQUIRE(a == 12L * kRounds / 4);
}

TEST_CASE("SharedMutex: a waiting writer holds back new readers, and its timeout lets them in",
          "[shared_mutex]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::SharedMutex m;
  m.lock_shared();
  REQUIRE_FALSE(m.try_lock());
  // Once the writer waits, a new reader queues behind it. A writer that gave up before this
  // thread saw it wait (this thread held back for its 300 ms) is sent again.
  sy::Future<bool> writer;
  for (int round = 0;; ++round) {
    REQUIRE(round < 100);
    writer = rt.spawn("writer", [&] { return m.try_lock_for(300ms); });
    while (!writer.ready() && m.try_lock_shared()) {
      m.unlock_shared();
      std::this_thread::sleep_for(1ms);
    }
    if (!writer.ready()) break;
    REQUIRE_FALSE(writer.get());  // the first reader still holds it
  }
  auto reader = rt.spawn(
      "reader",
      [&] {
        m.lock_shared();
        m.unlock_shared();
        return 1;
      },
      sy::on(sy::Placement::cpu));
  REQUIRE_FALSE(writer.get());  // the first reader still holds it
  REQUIRE(reader.get() == 1);   // admitted once the writer gave up
  m.unlock_shared();
  REQUIRE(m.try_lock());
  m.unlock();
}
