#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <memory>
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

TEST_CASE("TaskGroup: every child's future is ready when wait() returns or the group goes",
          "[group]") {
  // A child is counted out as its captures go, a moment before its future resolves: the
  // group's wait must cover that moment too. Many short rounds, so that a child often ends
  // just as the wait looks (found in 7 of 60 rounds of a 12-task pipeline).
  sy::Runtime rt(sy::test::sync_config());
  int unready_after_wait = 0;
  int unready_after_destruction = 0;
  for (int round = 0; round < 200; ++round) {
    std::vector<sy::Future<int>> waited;
    std::vector<sy::Future<int>> destroyed;
    {
      sy::TaskGroup group(rt);
      for (int i = 0; i < 12; ++i) {
        waited.push_back(group.spawn(
            "child", [i] { return i; }, sy::on(sy::test::kPlacements[i % 3])));
      }
      group.wait();
      for (auto& f : waited) unready_after_wait += f.ready() ? 0 : 1;
      for (int i = 0; i < 12; ++i) {
        destroyed.push_back(group.spawn(
            "child", [i] { return i; }, sy::on(sy::test::kPlacements[i % 3])));
      }
    }
    for (auto& f : destroyed) {
      unready_after_destruction += f.ready() ? 0 : 1;
      (void)f.wait_for(std::chrono::seconds(20));  // whatever it was, it resolves
    }
  }
  CHECK(unready_after_wait == 0);
  CHECK(unready_after_destruction == 0);
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

namespace {

// nest_config() leaves each executor room for the leaves beside owners that spin on purpose.
sy::Config nest_config() {
  sy::Config c = sy::test::sync_config();
  c.executors.fiber_workers = 4;
  c.executors.cpu_threads = 4;
  return c;
}

// eventually() says whether `done()` became true within a minute: a failure shows as a false
// assertion, not as a hung test.
template <class Done>
bool eventually(Done&& done) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Nest is a chain of `owners` tasks, each of which makes a group, spawns the next owner into it
// (the last: the leaves, parked on a Channel or an Event), yields until those have started,
// then spins in a CPU loop that makes no Switchyard call and never looks at its own
// cancellation, until every leaf has unwound or 10 s have passed. What it measures: how many
// leaves unwound while every owner still spun.
class Nest {
 public:
  static constexpr int kLeaves = 6;

  Nest(sy::Runtime& rt, int owners, sy::Placement first) : rt_(rt), owners_(owners) {
    int i = 0;
    while (sy::test::kPlacements[i] != first) ++i;
    first_ = i;
  }

  // owner() is the body of the owner at `level` (0: the outermost), to be spawned on where(level).
  void owner(int level) {
    sy::TaskGroup group(rt_);
    if (level + 1 < owners_) {
      group.spawn(
          "owner", [this, level] { owner(level + 1); }, sy::on(where(level + 1)));
    } else {
      for (int i = 0; i < kLeaves; ++i) {
        group.spawn(
            "leaf", [this, i] { leaf(i); }, sy::on(sy::test::kPlacements[i % 3]));
      }
    }
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    // The children start first: one queued on the worker of an owner that spins would wait for
    // it (no sibling is woken for a lone queued task, and these tests run without the watchdog).
    while ((parked_.load() < kLeaves || spinning_.load() < owners_ - 1 - level) &&
           std::chrono::steady_clock::now() < give_up) {
      sy::this_task::yield();
    }
    spinning_.fetch_add(1);
    while (unwound_.load() < kLeaves && std::chrono::steady_clock::now() < give_up) {
    }
    spinning_.fetch_sub(1);
  }
  // where() is the executor of the owner at `level`: each level on the next one.
  sy::Placement where(int level) const { return sy::test::kPlacements[(first_ + level) % 3]; }
  // ready() says whether every owner spins and every leaf is parked (or about to).
  bool ready() const { return spinning_.load() == owners_ && parked_.load() == kLeaves; }
  // unwound() counts the leaves that have unwound; unwound_while_spinning() those that did
  // while every owner still spun.
  int unwound() const { return unwound_.load(); }
  int unwound_while_spinning() const { return unwound_while_spinning_.load(); }

 private:
  void leaf(int i) {
    struct Unwind {
      Nest& nest;
      ~Unwind() {
        // Looked at before the count: the owners stop spinning once it is complete.
        if (nest.spinning_.load() == nest.owners_) nest.unwound_while_spinning_.fetch_add(1);
        nest.unwound_.fetch_add(1);
      }
    } unwind{*this};
    parked_.fetch_add(1);
    if (i % 2 == 0) {
      (void)never_sent_.receive();
    } else {
      never_set_.wait();
    }
  }

  sy::Runtime& rt_;
  const int owners_;
  int first_ = 0;
  sy::Channel<int> never_sent_;
  sy::Event never_set_;
  std::atomic<int> spinning_{0};
  std::atomic<int> parked_{0};
  std::atomic<int> unwound_{0};
  std::atomic<int> unwound_while_spinning_{0};
};

}  // namespace

TEST_CASE("TaskGroup: cancelling an owner reaches its group's children while it computes",
          "[group]") {
  const sy::Placement p =
      GENERATE(from_range(std::begin(sy::test::kPlacements), std::end(sy::test::kPlacements)));
  // Three owners deep, each spinning: the cancellation goes down through every group at once.
  const int owners = GENERATE(1, 3);
  CAPTURE(p, owners);
  sy::Runtime rt(nest_config());
  Nest nest(rt, owners, p);
  const auto outermost = [&nest] { nest.owner(0); };
  SECTION("the outer group is cancelled") {
    sy::TaskGroup outer(rt);
    outer.spawn("owner", outermost, sy::on(p));
    REQUIRE(eventually([&] { return nest.ready(); }));
    outer.cancel();
    outer.wait();
  }
  SECTION("a sibling fails") {
    sy::TaskGroup outer(rt);
    outer.spawn("owner", outermost, sy::on(p));
    REQUIRE(eventually([&] { return nest.ready(); }));
    outer.spawn("failer", [] { throw std::runtime_error("boom"); });
    REQUIRE_THROWS_WITH(outer.wait(), "boom");
  }
  SECTION("the owner's future is cancelled") {
    auto owner = rt.spawn("owner", outermost, sy::on(p));
    REQUIRE(eventually([&] { return nest.ready(); }));
    owner.cancel();
    owner.get();  // the owner ends as it chooses: here, normally
  }
  REQUIRE(nest.unwound() == Nest::kLeaves);
  REQUIRE(nest.unwound_while_spinning() == Nest::kLeaves);
}

TEST_CASE("TaskGroup: shutdown unwinds the leaves of an owner that computes", "[group]") {
  for (const sy::Placement p : sy::test::kPlacements) {
    CAPTURE(p);
    sy::Runtime rt(nest_config());
    Nest nest(rt, 2, p);
    auto owner = rt.spawn(
        "owner", [&nest] { nest.owner(0); }, sy::on(p));
    REQUIRE(eventually([&] { return nest.ready(); }));
    rt.shutdown(10ms);
    REQUIRE(nest.unwound() == Nest::kLeaves);
    REQUIRE(nest.unwound_while_spinning() == Nest::kLeaves);
  }
}

TEST_CASE("TaskGroup: a group made by a cancelled task never starts a child", "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  for (const sy::Placement p : sy::test::kPlacements) {
    CAPTURE(p);
    std::atomic<bool> group_cancelled{false};
    std::atomic<bool> ran{false};
    std::atomic<bool> started{false};
    auto owner = rt.spawn(
        "owner",
        [&] {
          started = true;
          while (!sy::this_task::cancelled()) {
          }
          sy::TaskGroup group(rt);
          auto child = group.spawn("child", [&] { ran = true; });
          group_cancelled = group.cancelled();
          return child.ready();  // cancelled before it was queued
        },
        sy::on(p));
    REQUIRE(eventually([&] { return started.load(); }));
    owner.cancel();
    REQUIRE(owner.get());
    REQUIRE(group_cancelled.load());
    REQUIRE_FALSE(ran.load());
  }
}

TEST_CASE("TaskGroup: a group outside any task answers only to its own cancellation", "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  sy::Event go;
  sy::TaskGroup group(rt);
  auto cancelled = group.spawn("cancelled", [&] { go.wait(); });
  auto sibling = group.spawn("sibling", [&] {
    go.wait();
    return 7;
  });
  cancelled.cancel();
  REQUIRE_THROWS_AS(cancelled.get(), sy::TaskCancelled);
  REQUIRE_FALSE(group.cancelled());
  go.set();
  REQUIRE(sibling.get() == 7);
  REQUIRE_NOTHROW(group.wait());
}

TEST_CASE("TaskGroup: groups a task has destroyed are not reached by its cancellation", "[group]") {
  // The ASan build would see a cancellation reach a group that is gone.
  sy::Runtime rt(sy::test::sync_config());
  for (const sy::Placement p : sy::test::kPlacements) {
    CAPTURE(p);
    sy::Event parked;
    sy::Event never;
    std::atomic<int> cancelled_groups{0};
    auto owner = rt.spawn(
        "owner",
        [&] {
          std::vector<std::unique_ptr<sy::TaskGroup>> groups;
          for (int i = 0; i < 8; ++i) {
            groups.push_back(std::make_unique<sy::TaskGroup>(rt));
            groups.back()->spawn("child", [] { return 1; });
          }
          // Destroyed in and out of the order they were made in.
          constexpr std::size_t kOrder[] = {3, 0, 7, 5, 1, 2, 6, 4};
          for (const std::size_t i : kOrder) {
            groups[i]->wait();
            if (groups[i]->cancelled()) cancelled_groups.fetch_add(1);
            groups[i].reset();
          }
          parked.set();
          never.wait();
        },
        sy::on(p));
    parked.wait();
    owner.cancel();
    REQUIRE_THROWS_AS(owner.get(), sy::TaskCancelled);
    REQUIRE(cancelled_groups.load() == 0);
  }
}

TEST_CASE("TaskGroup: a group may outlive the task that made it", "[group]") {
  sy::Runtime rt(sy::test::sync_config());
  for (const sy::Placement p : sy::test::kPlacements) {
    CAPTURE(p);
    auto maker = rt.spawn(
        "maker", [&rt] { return std::make_unique<sy::TaskGroup>(rt); }, sy::on(p));
    std::unique_ptr<sy::TaskGroup> group = maker.get();
    REQUIRE(group->spawn("child", [] { return 2; }).get() == 2);
    group->wait();
    group.reset();  // the ASan build would see it touch the task's state, were that gone
  }
}

TEST_CASE("TaskGroup: an owner cancelled as its group goes", "[group]") {
  // The cancellation and the group's destruction race on the owner's state (the TSan and ASan
  // builds watch them).
  sy::Runtime rt(sy::test::sync_config());
  for (int i = 0; i < 300; ++i) {
    std::atomic<bool> leaving{false};
    auto owner = rt.spawn(
        "owner",
        [&] {
          sy::Latch started(1);
          sy::TaskGroup group(rt);
          group.spawn("child", [&started] {
            started.count_down();
            sy::Event never;
            never.wait();
          });
          started.wait();
          leaving = true;
        },
        sy::on(sy::test::kPlacements[i % 3]));
    while (!leaving.load()) std::this_thread::yield();
    owner.cancel();
    owner.get();  // past its last cancellable wait: it ends normally
  }
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
