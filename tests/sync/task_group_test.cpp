#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "everywhere.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

TEST_CASE("TaskGroup: wait() returns when every child on every executor has ended", "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  std::atomic<int> done{0};
  sy::TaskGroup group(rt);
  for (int i = 0; i < 30; ++i) {
    group.spawn(
        "child",
        [&] {
          sy::this_task::sleep_for(1ms);
          done.fetch_add(1);
        },
        sy::on(sy::test::kPlacements[i % 3]));
  }
  group.wait();
  REQUIRE(done.load() == 30);
  REQUIRE(group.running() == 0);
  REQUIRE_FALSE(group.cancelled());
}

TEST_CASE("TaskGroup: the first failure cancels the siblings and is rethrown", "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::TaskGroup group(rt);
  std::vector<sy::Future<void>> sleepers;
  for (sy::Placement p : sy::test::kPlacements) {
    sleepers.push_back(group.spawn(
        "sleeper", [] { sy::this_task::sleep_for(std::chrono::hours(1)); }, sy::on(p)));
  }
  group.spawn("failer", [] {
    sy::this_task::sleep_for(5ms);
    throw std::runtime_error("boom");
  });
  REQUIRE_THROWS_WITH(group.wait(), "boom");
  REQUIRE(group.cancelled());
  for (auto& f : sleepers) REQUIRE_THROWS_AS(f.get(), sy::TaskCancelled);
}

TEST_CASE("TaskGroup: destroyed with children running, it cancels and waits for them", "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  std::atomic<int> unwound{0};
  // Every child is parked before the group goes (a child cancelled before it starts would
  // never start, and unwind nothing).
  sy::Latch parked(9);
  {
    sy::TaskGroup group(rt);
    for (int i = 0; i < 9; ++i) {
      group.spawn(
          "parked",
          [&] {
            struct Count {
              std::atomic<int>& n;
              ~Count() { n.fetch_add(1); }
            } count{unwound};
            parked.count_down();
            sy::Event never;
            never.wait();
          },
          sy::on(sy::test::kPlacements[i % 3]));
    }
    parked.wait();
  }
  REQUIRE(unwound.load() == 9);  // every child has ended once the destructor returns
}

TEST_CASE("TaskGroup: nested groups: cancelling the outer cancels the inner's children",
          "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  std::atomic<int> inner_started{0};
  std::atomic<int> inner_unwound{0};
  sy::TaskGroup outer(rt);
  for (sy::Placement p : sy::test::kPlacements) {
    outer.spawn(
        "middle",
        [&rt, &inner_started, &inner_unwound] {
          sy::TaskGroup inner(rt);
          for (int i = 0; i < 3; ++i) {
            inner.spawn("leaf", [&] {
              inner_started.fetch_add(1);
              try {
                sy::this_task::sleep_for(std::chrono::hours(1));
              } catch (const sy::TaskCancelled&) {
                inner_unwound.fetch_add(1);
                throw;
              }
            });
          }
          inner.wait();
        },
        sy::on(p));
  }
  while (inner_started.load() < 9) std::this_thread::sleep_for(1ms);
  outer.cancel();
  outer.wait();  // a cancelled group's wait is not an error
  REQUIRE(inner_unwound.load() == 9);
  // A child spawned into a cancelled group never starts.
  std::atomic<bool> ran{false};
  auto late = outer.spawn("late", [&] { ran = true; });
  REQUIRE_THROWS_AS(late.get(), sy::TaskCancelled);
  outer.wait();
  REQUIRE_FALSE(ran.load());
}

TEST_CASE("TaskGroup: a deadline cancels the children and wait() throws DeadlineExceeded",
          "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::TaskGroup group(rt, 20ms);
  for (sy::Placement p : sy::test::kPlacements) {
    group.spawn(
        "slow", [] { sy::this_task::sleep_for(std::chrono::hours(1)); }, sy::on(p));
  }
  group.spawn("quick", [] {});
  REQUIRE_THROWS_AS(group.wait(), sy::DeadlineExceeded);
  REQUIRE(group.running() == 0);
}

namespace {

// Unattended is what a group with a 50 ms deadline came to while its owner did something else
// for 2 s: how many children, parked forever on a channel, had ended in TaskCancelled by then,
// whether each child that started was cancelled in its wait, when the last of those ended, and
// what the owner's wait() reported afterwards. A child the deadline cancelled before it started
// (one the loaded machine had not started within 50 ms) never runs: only its future tells.
struct Unattended {
  int cancelled = 0;
  bool started_ones_unwound = false;
  std::chrono::milliseconds last_ended{0};
  bool deadline_reported = false;
};

Unattended leave_group_unattended(sy::Runtime& rt, void (*nap)(std::chrono::milliseconds)) {
  const auto start = std::chrono::steady_clock::now();
  std::atomic<int> started{0};
  std::atomic<int> unwound{0};
  std::atomic<std::int64_t> last_ended_ms{0};
  sy::Channel<int> never;
  Unattended seen;
  sy::TaskGroup group(rt, 50ms);
  std::vector<sy::Future<void>> children;
  for (sy::Placement p : sy::test::kPlacements) {
    children.push_back(group.spawn(
        "forever",
        [&] {
          started.fetch_add(1);
          try {
            (void)never.receive();
          } catch (const sy::TaskCancelled&) {
            const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - start);
            std::int64_t seen_ms = last_ended_ms.load();
            while (seen_ms < ms.count() &&
                   !last_ended_ms.compare_exchange_weak(seen_ms, ms.count())) {
            }
            unwound.fetch_add(1);
            throw;
          }
        },
        sy::on(p)));
  }
  nap(2s);
  for (auto& child : children) {
    if (!child.ready()) continue;
    try {
      child.get();
    } catch (const sy::TaskCancelled&) {
      ++seen.cancelled;
    }
  }
  seen.started_ones_unwound = unwound.load() == started.load();
  seen.last_ended = std::chrono::milliseconds(last_ended_ms.load());
  try {
    group.wait();
  } catch (const sy::DeadlineExceeded&) {
    seen.deadline_reported = true;
  }
  return seen;
}

// ended_before() says whether every child of `group` has ended before `deadline`, waiting for
// them until then at most.
bool ended_before(const sy::TaskGroup& group, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const bool ended = group.running() == 0;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (ended) return true;
    std::this_thread::yield();
  }
}

}  // namespace

TEST_CASE("TaskGroup: the deadline cancels the children while the owner does something else",
          "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  Unattended seen;
  SECTION("the owner is a thread that sleeps") {
    seen = leave_group_unattended(
        rt, [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); });
  }
  SECTION("the owner is a task that sleeps") {
    seen = rt.spawn("owner", [&rt] {
               return leave_group_unattended(
                   rt, [](std::chrono::milliseconds d) { sy::this_task::sleep_for(d); });
             }).get();
  }
  REQUIRE(seen.cancelled == 3);
  REQUIRE(seen.started_ones_unwound);
  REQUIRE(seen.last_ended < 1500ms);
  REQUIRE(seen.deadline_reported);
}

TEST_CASE("TaskGroup: a child spawned past the deadline never starts", "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::TaskGroup group(rt, 10ms);
  std::this_thread::sleep_for(30ms);
  std::atomic<bool> ran{false};
  auto late = group.spawn("late", [&] { ran = true; });
  REQUIRE_THROWS_AS(late.get(), sy::TaskCancelled);
  REQUIRE_THROWS_AS(group.wait(), sy::DeadlineExceeded);
  REQUIRE_FALSE(ran.load());
}

TEST_CASE("TaskGroup: children that end before the deadline leave nothing behind", "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  SECTION("wait() after the deadline reports no deadline") {
    // The child must end before the deadline: a round in which the machine held it back past
    // the deadline (which then rightly cancels it, if it has not started, or times the group
    // out) is run again.
    int rounds = 0;
    bool ended_in_time = false;
    while (!ended_in_time && rounds++ < 100) {
      const auto deadline = std::chrono::steady_clock::now() + 20ms;
      sy::TaskGroup group(rt, deadline);
      auto quick = group.spawn("quick", [] {});
      quick.wait();
      ended_in_time = ended_before(group, deadline);
      if (!ended_in_time) continue;
      REQUIRE_NOTHROW(quick.get());
      std::this_thread::sleep_until(deadline + 20ms);
      REQUIRE_NOTHROW(group.wait());
      REQUIRE_FALSE(group.cancelled());
    }
    CAPTURE(rounds);
    REQUIRE(ended_in_time);
  }
  SECTION("groups that end around their deadlines, by the hundred") {
    // Each group's deadline falls about when its child ends: its alarm rings while the child
    // runs (the group times out) or is disarmed as the child ends, and never rings for a group
    // that has gone (which the ASan and TSan builds would report).
    std::atomic<int> timed_out{0};
    for (int i = 0; i < 300; ++i) {
      sy::TaskGroup group(rt, std::chrono::microseconds(50 * (i % 40)));
      group.spawn(
          "brief", [] { sy::this_task::sleep_for(std::chrono::microseconds(500)); },
          sy::on(sy::test::kPlacements[i % 3]));
      try {
        group.wait();
      } catch (const sy::DeadlineExceeded&) {
        timed_out.fetch_add(1);
      }
    }
    REQUIRE(timed_out.load() > 0);
  }
}

TEST_CASE("TaskGroup: a child is the group's before it runs", "[group]") {
  // A child that cancels its own group is cancelled by it at once: the group lists a child
  // before the child can start.
  sy::Runtime rt(sy::test::sync_config());
  for (int i = 0; i < 200; ++i) {
    sy::TaskGroup group(rt);
    auto child = group.spawn(
        "self-cancelling",
        [&group] {
          group.cancel();
          return sy::this_task::cancelled();
        },
        sy::on(sy::test::kPlacements[i % 3]));
    group.wait();
    REQUIRE(child.get());
  }
}

TEST_CASE("with_timeout and when_any", "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  REQUIRE(sy::with_timeout(rt.spawn("fast", [] { return 3; }), 30s) == 3);
  std::atomic<bool> unwound{false};
  sy::Event sleeping;
  auto slow = rt.spawn("slow", [&] {
    try {
      sleeping.set();
      sy::this_task::sleep_for(std::chrono::hours(1));
    } catch (const sy::TaskCancelled&) {
      unwound = true;
      throw;
    }
    return 0;
  });
  // Cancelled before it started, it would never run, and never unwind.
  sleeping.wait();
  REQUIRE_THROWS_AS(sy::with_timeout(std::move(slow), 10ms), sy::DeadlineExceeded);
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  while (!unwound.load() && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(unwound.load());

  sy::Event go;
  std::vector<sy::Future<int>> futures;
  futures.push_back(rt.spawn("a", [&] {
    go.wait();
    return 0;
  }));
  futures.push_back(rt.spawn("b", [] {
    sy::this_task::sleep_for(5ms);
    return 1;
  }));
  const auto early = sy::when_any_until(futures, 1ms);
  REQUIRE((!early || *early == 1));
  // From a thread and from a task alike.
  REQUIRE(sy::when_any(futures) == 1);
  auto in_task = rt.spawn("chooser", [&] { return sy::when_any(futures); });
  REQUIRE(in_task.get() == 1);
  REQUIRE(futures[1].get() == 1);
  std::vector<sy::Future<int>> none;
  REQUIRE_FALSE(sy::when_any_until(none, 1ms).has_value());
  go.set();
  REQUIRE(futures[0].get() == 0);
}

TEST_CASE("TaskGroup: cancelling 10,000 tasks parked on sockets resolves every future",
          "[group_sockets]") {
  sy::Runtime rt(sy::test::sync_config());
  const std::size_t fds_before = sy::test::fd_count();
  constexpr int kTasks = 10'000;
  // One socket pair serves two tasks, one on each end: 10,000 descriptors in all.
  std::vector<std::array<int, 2>> pairs(kTasks / 2);
  for (auto& p : pairs) {
    int fd[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) == 0);
    p = {fd[0], fd[1]};
  }
  std::atomic<int> parked{0};
  std::vector<sy::Future<void>> futures;
  double cancel_ms = 0;
  {
    sy::TaskGroup group(rt);
    for (int i = 0; i < kTasks; ++i) {
      const int fd = pairs[static_cast<std::size_t>(i / 2)][static_cast<std::size_t>(i % 2)];
      futures.push_back(group.spawn(
          "parked",
          [fd, &parked] {
            parked.fetch_add(1);
            (void)sy::wait_readable(fd);
          },
          sy::on(sy::Placement::fiber)));
    }
    while (parked.load() < kTasks) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(50ms);
    const auto start = std::chrono::steady_clock::now();
    group.cancel();
    group.wait();
    cancel_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  for (auto& f : futures) {
    REQUIRE(f.ready());
    REQUIRE_THROWS_AS(f.get(), sy::TaskCancelled);
  }
  std::printf("cancelling %d tasks parked on sockets: %.1f ms\n", kTasks, cancel_ms);
  for (auto& p : pairs) {
    ::close(p[0]);
    ::close(p[1]);
  }
  // None left open; one the runtime held before may have closed since (a sanitizer's pipe
  // is not counted: fd_count()).
  REQUIRE(sy::test::fd_count() <= fds_before);
}
