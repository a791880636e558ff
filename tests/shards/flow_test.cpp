#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <switchyard/errors.hpp>
#include <switchyard/runtime.hpp>

#include "shard_support.hpp"
#include "shard_tasks.hpp"

namespace switchyard::test {

namespace {

// answered() is how many calls the shards have answered so far: the pool counts an answer
// before it makes room for a waiting submitter.
std::uint64_t answered(const Runtime& rt) {
  for (const auto& e : rt.report().executors) {
    if (e.placement == Placement::shard) return e.tasks_run;
  }
  return 0;
}

}  // namespace

TEST_CASE("a full shard pool makes its submitters wait", "[flow]") {
  Config config = shard_config(1, 1);
  // One worker and no watchdog to hand its queue on: what runs beside the caller runs only if
  // the caller suspends.
  config.executors.fiber_workers = 1;
  config.executors.watchdog = false;
  Runtime rt(config);
  const Hint shard = on(Placement::shard);

  SECTION("a thread blocks in submit() until a call is answered") {
    auto first = rt.submit(shard, nap, 1, 100);
    auto second = rt.submit(shard, nap, 2, 0);
    // Room for one call: the second submit returned only once the first was answered.
    CHECK(answered(rt) >= 1);
    CHECK(first.get() == 1);
    CHECK(second.get() == 2);
  }
  SECTION("a task suspends in submit(), and its worker runs other tasks meanwhile") {
    std::atomic<int> others{0};
    std::vector<Future<void>> ticks;
    auto caller = rt.spawn(
        "caller",
        [&] {
          auto first = rt.submit(shard, nap, 1, 100);
          // Queued behind the caller on its own worker: they run only if it suspends.
          for (int i = 0; i < 20; ++i) {
            ticks.push_back(rt.spawn(
                "tick", [&] { others.fetch_add(1); }, on(Placement::fiber)));
          }
          auto second = rt.submit(shard, nap, 2, 0);
          const bool ran_meanwhile = others.load() == 20;
          return ran_meanwhile && answered(rt) >= 1 && first.get() == 1 && second.get() == 2;
        },
        on(Placement::fiber));
    CHECK(caller.get());
    for (auto& t : ticks) t.get();
  }
}

TEST_CASE("shutdown resolves every shard call in flight", "[flow]") {
  Config config = shard_config(2, 100);
  config.executors.shutdown_grace = std::chrono::milliseconds(50);
  Runtime rt(config);
  const Hint shard = on(Placement::shard);
  std::vector<Future<int>> calls;
  for (int i = 0; i < 200; ++i) calls.push_back(rt.submit(shard, nap, i, 5));
  const auto begun = std::chrono::steady_clock::now();
  rt.shutdown(std::chrono::milliseconds(50));
  CHECK(std::chrono::steady_clock::now() - begun < std::chrono::seconds(10));

  int values = 0;
  int cancelled = 0;
  for (int i = 0; i < 200; ++i) {
    try {
      const int value = calls[static_cast<std::size_t>(i)].get();
      CHECK(value == i);
      ++values;
    } catch (const TaskCancelled&) {
      ++cancelled;
    }
  }
  CHECK(values + cancelled == 200);
  CHECK(cancelled > 0);  // 200 calls of 5 ms on 2 shards take 500 ms, the grace 50 ms
  CHECK_THROWS_AS(rt.submit(shard, add, 1, 2).get(), RuntimeStopped);
  CHECK(descendants().alive == 0);
}

}  // namespace switchyard::test
