#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;

// A worker takes resumed tasks before fresh ones (the memory bound of trees), but not always:
// a stream of wake-ups must not hold a spawned task back.
TEST_CASE(
    "queues: a task spawned behind a stream of woken tasks starts within a bounded "
    "number of picks",
    "[fairness]") {
  const sy::Placement where = GENERATE(sy::Placement::fiber, sy::Placement::cpu);
  CAPTURE(sy::to_string(where));
  sy::Runtime rt(sy::test::one_worker());
  constexpr int kYielders = 32;  // and the spawner
  // Far more yields than the scheduler's bound allows the newcomer to wait, far fewer than a
  // run that never took it early would need.
  constexpr std::uint64_t kFairYields = 20'000;
  constexpr std::uint64_t kMaxYields = 2'000'000;
  std::atomic<bool> started{false};
  std::atomic<std::uint64_t> yields{0};
  std::atomic<std::uint64_t> yields_before_start{0};
  auto parent = rt.spawn(
      "parent",
      [&] {
        std::vector<sy::Future<void>> yielders;
        for (int i = 0; i < kYielders; ++i) {
          yielders.push_back(sy::this_task::spawn(
              "yielder",
              [&] {
                while (!started.load() && yields.load() < kMaxYields) {
                  yields.fetch_add(1);
                  sy::this_task::yield();
                }
              },
              sy::on(where)));
        }
        // Let every yielder start and join the stream of resumed tasks.
        while (yields.load() < 4 * kYielders) sy::this_task::yield();
        auto newcomer = sy::this_task::spawn(
            "newcomer",
            [&] {
              yields_before_start.store(yields.load());
              started.store(true);
            },
            sy::on(where));
        // The spawner goes on yielding too: nobody waits for the newcomer.
        while (!started.load() && yields.load() < kMaxYields) {
          yields.fetch_add(1);
          sy::this_task::yield();
        }
        newcomer.get();
        for (auto& y : yielders) y.get();
      },
      sy::on(where));
  parent.get();
  CAPTURE(yields_before_start.load(), yields.load());
  CHECK(started.load());
  CHECK(yields_before_start.load() < kFairYields);
}
