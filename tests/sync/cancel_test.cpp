#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <switchyard/io.hpp>
#include <switchyard/net.hpp>
#include <switchyard/switchyard.hpp>

#include "everywhere.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

// Pair is a connected pair of stream sockets, closed at the end of the test.
struct Pair {
  int fd[2] = {-1, -1};
  Pair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) == 0); }
  ~Pair() {
    for (int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;
};

// Wait is one kind of Switchyard wait a task can be cancelled in, and the objects it waits
// on, which nothing ever releases.
struct Waits {
  sy::Mutex mutex;
  sy::SharedMutex shared;
  sy::ConditionVariable cv;
  sy::Mutex cv_mutex;
  sy::Semaphore semaphore{0};
  sy::Latch latch{1};
  sy::Event event;
  sy::Channel<int> rendezvous{0};
  sy::Channel<int> empty{4};
  Pair pair;
  sy::Future<void> never;
};

using WaitFn = std::function<void(Waits&)>;

struct Kind {
  const char* name;
  WaitFn wait;
};

std::vector<Kind> kinds() {
  return {
      {"Mutex::lock", [](Waits& w) { std::lock_guard lk(w.mutex); }},
      {"SharedMutex::lock_shared", [](Waits& w) { std::shared_lock lk(w.shared); }},
      {"ConditionVariable::wait",
       [](Waits& w) {
         std::unique_lock lk(w.cv_mutex);
         w.cv.wait(lk);
       }},
      {"Semaphore::acquire", [](Waits& w) { w.semaphore.acquire(); }},
      {"Latch::wait", [](Waits& w) { w.latch.wait(); }},
      {"Event::wait", [](Waits& w) { w.event.wait(); }},
      {"Channel::send", [](Waits& w) { w.rendezvous.send(1); }},
      {"Channel::receive", [](Waits& w) { (void)w.empty.receive(); }},
      {"select",
       [](Waits& w) {
         std::optional<int> a;
         std::optional<int> b;
         (void)sy::select(sy::receive_into(w.empty, a), sy::receive_into(w.rendezvous, b));
       }},
      {"select send",
       [](Waits& w) {
         std::optional<int> a;
         int v = 1;
         (void)sy::select(sy::receive_into(w.empty, a), sy::send_to(w.rendezvous, v));
       }},
      {"wait_readable", [](Waits& w) { (void)sy::wait_readable(w.pair.fd[0]); }},
      {"Socket::read_some",
       [](Waits& w) {
         // The socket adopts a duplicate: the pair closes its own.
         sy::net::Socket s = sy::net::Socket::adopt(::dup(w.pair.fd[1]), "pair");
         char c = 0;
         (void)s.read_some(&c, 1);
       }},
      {"sleep_for", [](Waits&) { sy::this_task::sleep_for(std::chrono::hours(1)); }},
      {"Future::get", [](Waits& w) { w.never.wait(); }},
  };
}

}  // namespace

TEST_CASE("Cancellation: every kind of wait on every executor ends in TaskCancelled", "[cancel]") {
  sy::Runtime rt(sy::test::sync_config());
  Waits w;
  w.mutex.lock();
  w.shared.lock();
  sy::Event never_set;
  w.never = rt.spawn("never", [&] { never_set.wait(); });
  const std::vector<Kind> all = kinds();
  for (const Kind& kind : all) {
    for (sy::Placement p : sy::test::kPlacements) {
      INFO(kind.name << " on " << sy::to_string(p));
      std::atomic<bool> entered{false};
      std::atomic<bool> returned{false};
      auto f = rt.spawn(
          "waiter",
          [&] {
            entered = true;
            kind.wait(w);
            returned = true;
          },
          sy::on(p));
      while (!entered.load()) std::this_thread::sleep_for(1ms);
      std::this_thread::sleep_for(10ms);  // most likely parked by now; if not, it sees the flag
      f.cancel();
      REQUIRE(f.wait_for(30s));
      REQUIRE_THROWS_AS(f.get(), sy::TaskCancelled);
      REQUIRE_FALSE(returned.load());
    }
  }
  never_set.set();
  w.never.get();
  w.shared.unlock();
  w.mutex.unlock();
}

TEST_CASE("Cancellation: a cancelled task keeps what a wait it was woken from handed it",
          "[cancel]") {
  sy::Runtime rt(sy::test::sync_config());
  for (sy::Placement p : sy::test::kPlacements) {
    sy::Channel<int> ch(0);
    std::atomic<int> got{0};
    auto f = rt.spawn(
        "receiver",
        [&] {
          got = ch.receive().value_or(-1);
          sy::this_task::sleep_for(std::chrono::hours(1));
        },
        sy::on(p));
    ch.send(7);
    f.cancel();
    REQUIRE_THROWS_AS(f.get(), sy::TaskCancelled);
    REQUIRE(got.load() == 7);
  }
}

TEST_CASE("Cancellation: a queued task never starts and its future resolves at once", "[cancel]") {
  sy::Config config = sy::test::sync_config();
  config.executors.cpu_threads = 1;
  sy::Runtime rt(config);
  std::atomic<bool> release{false};
  std::atomic<bool> busy{false};
  auto blocker = rt.spawn(
      "blocker",
      [&] {
        busy = true;
        while (!release.load()) std::this_thread::sleep_for(1ms);
      },
      sy::on(sy::Placement::cpu));
  while (!busy.load()) std::this_thread::sleep_for(1ms);
  std::atomic<int> ran{0};
  std::vector<sy::Future<int>> queued;
  for (int i = 0; i < 100; ++i) {
    queued.push_back(rt.spawn(
        "queued", [&] { return ran.fetch_add(1); }, sy::on(sy::Placement::cpu)));
  }
  for (auto& f : queued) f.cancel();
  for (auto& f : queued) {
    REQUIRE(f.ready());
    REQUIRE_THROWS_AS(f.get(), sy::TaskCancelled);
  }
  release = true;
  blocker.get();
  // The cancelled tasks are dequeued and dropped: the runtime drains, nothing of theirs runs.
  auto after = rt.spawn(
      "after", [] { return 1; }, sy::on(sy::Placement::cpu));
  REQUIRE(after.get() == 1);
  REQUIRE(rt.shutdown(5s).cancelled() == 0);
  REQUIRE(ran.load() == 0);
}

TEST_CASE("Cancellation: a CPU loop sees this_task::cancelled() on every executor", "[cancel]") {
  sy::Runtime rt(sy::test::sync_config());
  REQUIRE_FALSE(sy::this_task::cancelled());
  REQUIRE_NOTHROW(sy::this_task::throw_if_cancelled());
  for (sy::Placement p : sy::test::kPlacements) {
    std::atomic<bool> started{false};
    auto loop = rt.spawn(
        "loop",
        [&] {
          started = true;
          long spins = 0;
          while (!sy::this_task::cancelled()) ++spins;
          return spins;
        },
        sy::on(p));
    auto thrower = rt.spawn(
        "thrower",
        [&] {
          for (;;) sy::this_task::throw_if_cancelled();
        },
        sy::on(p));
    while (!started.load()) std::this_thread::sleep_for(1ms);
    loop.cancel();
    thrower.cancel();
    REQUIRE(loop.get() >= 0);  // it chose to return a value: that is its result
    REQUIRE_THROWS_AS(thrower.get(), sy::TaskCancelled);
  }
}

TEST_CASE("Cancellation: cancelling a finished task or twice changes nothing", "[cancel]") {
  sy::Runtime rt(sy::test::sync_config());
  auto f = rt.spawn("done", [] { return 5; });
  f.wait();
  f.cancel();
  f.cancel();
  REQUIRE(f.get() == 5);
  sy::Future<int> empty;
  empty.cancel();
  REQUIRE_FALSE(empty.valid());
}

TEST_CASE("Cancellation: tasks cancelled at any moment while they wait and move all end cancelled",
          "[cancel]") {
  // Each task hops between the executors (its waits arm in another reactor after each hop),
  // waits with and without deadlines on a channel a thread feeds, then parks for good on a
  // channel nobody sends to. The cancellations come at every point of that life: before a
  // wait is armed, while it is, as it ends, between hops, once parked for good. One that
  // missed the wait its task was arming would leave the task parked for good.
  sy::Runtime rt(sy::test::sync_config());
  sy::Channel<int> feed(16);
  sy::Channel<int> never(0);
  // Feeder sends until the test ends, however it ends.
  struct Feeder {
    std::atomic<bool> stop{false};
    std::thread thread;
    ~Feeder() {
      stop = true;
      thread.join();
    }
  } feeder;
  feeder.thread = std::thread([&] {
    for (int i = 0; !feeder.stop.load(); ++i) (void)feed.send_for(int{i}, 1ms);
  });
  constexpr int kTasks = 48;
  std::atomic<long> waits{0};
  std::vector<sy::Future<void>> tasks;
  for (int t = 0; t < kTasks; ++t) {
    tasks.push_back(rt.spawn(
        "hopper",
        [&, t] {
          for (int i = 0; i < 2 + t % 9; ++i) {
            sy::this_task::move_to(sy::test::kPlacements[(t + i) % 3]);
            switch ((t + i) % 3) {
              case 0:
                (void)feed.receive();  // untimed: the feeder ends it
                break;
              case 1:
                (void)feed.receive_for(std::chrono::microseconds(50));
                break;
              default:
                sy::this_task::sleep_for(std::chrono::microseconds(20));
            }
            waits.fetch_add(1);
          }
          (void)never.receive();
        },
        sy::on(sy::test::kPlacements[t % 3])));
  }
  for (int t = 0; t < kTasks; ++t) {
    std::this_thread::sleep_for(std::chrono::microseconds(60 * (t % 13)));
    tasks[t].cancel();
  }
  for (auto& f : tasks) {
    REQUIRE(f.wait_for(30s));
    REQUIRE_THROWS_AS(f.get(), sy::TaskCancelled);
  }
  REQUIRE(waits.load() > 0);
}
