#include <catch2/catch.hpp>

#include <unistd.h>

#include <thread>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;

namespace {

int run_some(sy::Runtime& rt, int n) {
  std::vector<sy::Future<int>> fs;
  for (int i = 0; i < n; ++i) {
    const auto where = sy::all_placements[static_cast<std::size_t>(i) % 3];
    fs.push_back(rt.spawn(
        "k", [i] { return i; }, sy::on(where)));
  }
  int sum = 0;
  for (auto& f : fs) sum += f.get();
  return sum;
}

}  // namespace

TEST_CASE("runtimes created one after another each work", "[runtimes]") {
  for (int round = 0; round < 5; ++round) {
    sy::Runtime rt(sy::test::small_config());
    REQUIRE(run_some(rt, 300) == 300 * 299 / 2);
  }
}

TEST_CASE("two runtimes at once keep their tasks apart", "[runtimes]") {
  sy::Runtime a(sy::test::small_config());
  sy::Runtime b(sy::test::small_config());
  // A task of one runtime spawning into and waiting on the other crosses their schedulers.
  auto cross = a.spawn("cross", [&b] { return b.spawn("inner", [] { return 2; }).get() + 1; });
  int from_a = 0;
  int from_b = 0;
  std::thread ta([&] { from_a = run_some(a, 500); });
  std::thread tb([&] { from_b = run_some(b, 500); });
  ta.join();
  tb.join();
  REQUIRE(from_a == 500 * 499 / 2);
  REQUIRE(from_b == 500 * 499 / 2);
  REQUIRE(cross.get() == 3);
  REQUIRE(a.report().kinds.size() == 2);  // "cross" and "k": nothing of b's leaked into a
}

TEST_CASE("a destroyed runtime leaves no threads or descriptors behind", "[runtimes]") {
  const auto threads_before = sy::test::thread_count();
  const auto fds_before = sy::test::fd_count();
  {
    sy::Runtime rt(sy::test::small_config());
    REQUIRE(run_some(rt, 200) == 200 * 199 / 2);
  }
  REQUIRE(sy::test::thread_count() == threads_before);
  REQUIRE(sy::test::fd_count() == fds_before);
}

TEST_CASE("runtimes whose blocking pool retires threads shut down without deadlock", "[runtimes]") {
  // A retiring blocking-pool thread and shutdown used to take the same two locks in opposite
  // orders; with a zero idle period threads retire constantly, which made it likely.
  for (int round = 0; round < 100; ++round) {
    auto config = sy::test::small_config();
    config.executors.blocking_min = 1;
    config.executors.blocking_max = 2;
    config.executors.blocking_idle = std::chrono::milliseconds(0);
    sy::Runtime rt(config);
    REQUIRE(rt.spawn(
                  "b", [] { return 1; }, sy::on(sy::Placement::blocking))
                .get() == 1);
  }
}

TEST_CASE("a blocking-pool thread is not reaped while a waker still holds it", "[runtimes]") {
  // The pool grows for each burst and, with a 1 ms idle period, shrinks between bursts, which
  // the submitters start at staggered moments: threads retire and are reaped (by the next
  // grow) while other threads take idle ones off the idle list to wake them. A thread taken
  // off that list must stay until its waker has woken it. Under ThreadSanitizer this reported
  // the reaped thread's Parker destroyed unordered with a waker's unpark() (a use after free
  // when the waker is the slower one); elsewhere it could crash.
  auto config = sy::test::small_config();
  config.executors.blocking_min = 1;
  config.executors.blocking_max = 4;
  config.executors.blocking_idle = std::chrono::milliseconds(1);
  sy::Runtime rt(config);
  constexpr int kSubmitters = 4;
  constexpr int kBursts = 200;
  constexpr int kBurst = 3;
  std::vector<long> sums(kSubmitters, 0);
  std::vector<std::thread> submitters;
  for (int s = 0; s < kSubmitters; ++s) {
    submitters.emplace_back([&rt, &sums, s] {
      for (int b = 0; b < kBursts; ++b) {
        ::usleep(static_cast<useconds_t>(500 + 97 * ((b * 7 + s * 13) % 11)));
        std::vector<sy::Future<int>> burst;
        for (int i = 0; i < kBurst; ++i) {
          burst.push_back(rt.spawn(
              "b",
              [i] {
                ::usleep(200);
                return i;
              },
              sy::on(sy::Placement::blocking)));
        }
        for (auto& f : burst) sums[static_cast<std::size_t>(s)] += f.get();
      }
    });
  }
  for (auto& t : submitters) t.join();
  for (const long sum : sums) REQUIRE(sum == kBursts * kBurst * (kBurst - 1) / 2);
}
