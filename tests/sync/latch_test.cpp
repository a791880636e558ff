#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>

#include <switchyard/switchyard.hpp>

#include "everywhere.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

TEST_CASE("Latch: every executor's tasks and threads arrive and wait together", "[latch]") {
  sy::Runtime rt(sy::test::sync_config());
  constexpr int kContenders = 3 * 3 + 3;
  sy::Latch arrived(kContenders);
  std::atomic<int> before{0};
  std::atomic<int> early{0};
  sy::test::everywhere(rt, 3, 3, [&](int) {
    before.fetch_add(1);
    arrived.arrive_and_wait();
    if (before.load() != kContenders) early.fetch_add(1);
  });
  REQUIRE(early.load() == 0);
  REQUIRE(arrived.try_wait());
}

TEST_CASE("Latch: wait_for gives up while closed; bad counts are errors", "[latch]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Latch latch(2);
  std::atomic<int> timed_out{0};
  sy::test::everywhere(rt, 1, 1, [&](int) {
    if (!latch.wait_for(20ms)) timed_out.fetch_add(1);
  });
  REQUIRE(timed_out.load() == 4);
  REQUIRE_THROWS_WITH(latch.count_down(3), Catch::Contains("3") && Catch::Contains("2 left"));
  REQUIRE_THROWS_AS(latch.count_down(-1), std::invalid_argument);
  latch.count_down(2);
  REQUIRE(latch.wait_for(0s));
  REQUIRE_THROWS_AS(sy::Latch(-1), std::invalid_argument);
}
