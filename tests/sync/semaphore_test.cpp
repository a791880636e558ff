#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>

#include <switchyard/switchyard.hpp>

#include "everywhere.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

TEST_CASE("Semaphore: at most its permits are held at once, on every executor and threads",
          "[semaphore]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Semaphore permits(3);
  std::atomic<int> held{0};
  std::atomic<int> too_many{0};
  sy::test::everywhere(rt, 4, 3, [&](int) {
    for (int i = 0; i < 200; ++i) {
      permits.acquire();
      if (held.fetch_add(1) >= 3) too_many.fetch_add(1);
      if (i % 8 == 0) sy::this_task::yield();
      held.fetch_sub(1);
      permits.release();
    }
  });
  REQUIRE(too_many.load() == 0);
  REQUIRE(permits.available() == 3);
}

TEST_CASE("Semaphore: try_acquire_for gives up; release hands permits to waiters", "[semaphore]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Semaphore permits(0);
  REQUIRE_FALSE(permits.try_acquire());
  std::atomic<int> timed_out{0};
  sy::test::everywhere(rt, 1, 1, [&](int) {
    if (!permits.try_acquire_for(20ms)) timed_out.fetch_add(1);
  });
  REQUIRE(timed_out.load() == 4);
  auto waiters = rt.spawn("waiters", [&] {
    permits.acquire();
    permits.acquire();
  });
  permits.release(2);
  waiters.get();
  REQUIRE(permits.available() == 0);
}

TEST_CASE("Semaphore: bad counts are errors naming the count", "[semaphore]") {
  REQUIRE_THROWS_WITH(sy::Semaphore(-1), Catch::Contains("-1"));
  sy::Semaphore s(0);
  REQUIRE_THROWS_AS(s.release(-2), std::invalid_argument);
  sy::Semaphore full(sy::Semaphore::max() - 1);
  full.release(1);  // at the bound
  REQUIRE(full.available() == sy::Semaphore::max());
  REQUIRE_THROWS_AS(full.release(1), std::overflow_error);  // past it
  REQUIRE(full.available() == sy::Semaphore::max());
}
