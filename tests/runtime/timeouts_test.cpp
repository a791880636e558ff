// Durations from a caller or from a Config set in code, at the ends of their range: a huge one
// waits forever (or as long as it can), a negative one not at all, and neither overflows.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>

#include <catch2/catch.hpp>

#include <switchyard/deadline.hpp>
#include <switchyard/detail/timeout.hpp>
#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// process_cpu_seconds() is the CPU time of every thread of the process so far.
double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

// quiet_config() is small_config() without the background calibration, whose CPU time would
// hide a runtime's own.
sy::Config quiet_config() {
  sy::Config c = sy::test::small_config();
  c.profiling.calibrate = false;
  return c;
}

// outcome() is how a future of a cancellable wait resolved.
enum class Outcome { value, cancelled, other };
Outcome outcome(sy::Future<int>& f) {
  try {
    f.get();
    return Outcome::value;
  } catch (const sy::TaskCancelled&) {
    return Outcome::cancelled;
  } catch (...) {
    return Outcome::other;
  }
}

}  // namespace

TEST_CASE("timeouts: conversions saturate instead of overflowing", "[timeouts]") {
  using sy::detail::deadline_after;
  using sy::detail::timeout_cast;
  using ns = std::chrono::nanoseconds;
  CHECK(timeout_cast<ns>(std::chrono::hours::max()) == ns::max());
  CHECK(timeout_cast<ns>(std::chrono::microseconds::max()) == ns::max());
  CHECK(timeout_cast<ns>(std::chrono::hours::min()) == ns::zero());
  CHECK(timeout_cast<ns>(-1ns) == ns::zero());
  CHECK(timeout_cast<ns>(std::chrono::duration<double>(1e300)) == ns::max());
  CHECK(timeout_cast<ns>(std::chrono::duration<double>(std::numeric_limits<double>::infinity())) ==
        ns::max());
  CHECK(timeout_cast<ns>(std::chrono::duration<double>(std::nan(""))) == ns::zero());
  // The largest duration that converts exactly does so; one tick more saturates.
  const std::chrono::microseconds most_us{ns::max().count() / 1000};
  CHECK(timeout_cast<ns>(most_us) == ns(most_us.count() * 1000));
  CHECK(timeout_cast<ns>(most_us + 1us) == ns::max());
  // Rounding is up, so a wait never ends early.
  CHECK(timeout_cast<ns>(std::chrono::duration<long long, std::pico>(1)) == 1ns);
  CHECK(timeout_cast<std::chrono::milliseconds>(1001us) == 2ms);
  CHECK(timeout_cast<ns>(std::chrono::duration<unsigned>(3)) == 3s);

  const Clock::time_point now = Clock::now();
  CHECK(deadline_after(now, std::chrono::hours::max()) == Clock::time_point::max());
  CHECK(deadline_after(now, std::chrono::milliseconds::max()) == Clock::time_point::max());
  CHECK(deadline_after(now, Clock::time_point::max() - now) == Clock::time_point::max());
  CHECK(deadline_after(now, std::chrono::hours::min()) == now);
  CHECK(deadline_after(now, -5s) == now);
  CHECK(deadline_after(now, 5s) == now + 5s);
  CHECK(sy::detail::time_left(Clock::time_point::min(), now) == ns::zero());
  CHECK(sy::detail::time_left(now + 3s, now) == 3s);
}

TEST_CASE("timeouts: a Deadline of a huge duration is none and of a negative one passed",
          "[timeouts]") {
  CHECK(sy::Deadline(std::chrono::hours::max()).is_none());
  CHECK(sy::Deadline(std::chrono::milliseconds::max()).is_none());
  CHECK(sy::Deadline(std::chrono::duration<double>(1e300)).is_none());
  CHECK(sy::Deadline(std::chrono::hours::min()).passed());
  CHECK(sy::Deadline(-1s).passed());
  CHECK_FALSE(sy::Deadline(1h).passed());
  CHECK_FALSE(sy::Deadline(1h).is_none());
}

TEST_CASE("timeouts: sleep_for(hours::max()) sleeps until cancelled", "[timeouts]") {
  const sy::Placement where = GENERATE(sy::Placement::fiber, sy::Placement::blocking);
  sy::Runtime rt(quiet_config());
  // The 300 ms are counted from their sleeps: a task the machine had not started by then would
  // not be ready either, and show nothing.
  sy::Latch asleep(2);
  auto sleeper = rt.spawn(
      "sleeper",
      [&asleep] {
        asleep.count_down();
        sy::this_task::sleep_for(std::chrono::hours::max());
        return 1;
      },
      sy::on(where));
  auto later = rt.spawn(
      "sleeper",
      [&asleep] {
        asleep.count_down();
        sy::this_task::sleep_for(std::chrono::duration<double>(1e300));
        return 2;
      },
      sy::on(where));
  asleep.wait();
  std::this_thread::sleep_for(300ms);
  CHECK_FALSE(sleeper.ready());
  CHECK_FALSE(later.ready());
  rt.shutdown(0ms);
  CHECK(outcome(sleeper) == Outcome::cancelled);
  CHECK(outcome(later) == Outcome::cancelled);
}

TEST_CASE("timeouts: sleep_for and sleep_until a negative time return at once", "[timeouts]") {
  sy::Runtime rt(quiet_config());
  auto sleep_back = [] {
    sy::this_task::sleep_for(std::chrono::hours::min());
    sy::this_task::sleep_for(-1s);
    sy::this_task::sleep_until(Clock::time_point::min());
    return 1;
  };
  const auto start = Clock::now();
  auto on_fiber = rt.spawn("back", sleep_back, sy::on(sy::Placement::fiber));
  auto on_thread = rt.spawn("back", sleep_back, sy::on(sy::Placement::blocking));
  // A wait that overflowed might never end: shutting down ends it.
  CHECK(on_fiber.wait_for(5s));
  CHECK(on_thread.wait_for(5s));
  CHECK(sleep_back() == 1);  // outside a task
  CHECK(seconds_since(start) < 5);
  rt.shutdown(0ms);
  CHECK(outcome(on_fiber) == Outcome::value);
  CHECK(outcome(on_thread) == Outcome::value);
}

TEST_CASE("timeouts: wait_for(hours::max()) waits for the task", "[timeouts]") {
  sy::Runtime rt(quiet_config());
  auto slow = [] {
    sy::this_task::sleep_for(200ms);
    return 7;
  };
  SECTION("from a thread") {
    auto f = rt.spawn("slow", slow);
    CHECK(f.wait_for(std::chrono::hours::max()));
    CHECK(f.get() == 7);
  }
  SECTION("from a task") {
    auto waiter = rt.spawn(
        "waiter",
        [&rt, slow] {
          auto f = rt.spawn("slow", slow);
          return f.wait_for(std::chrono::hours::max()) ? f.get() : -1;
        },
        sy::on(sy::Placement::fiber));
    CHECK(waiter.get() == 7);
  }
  SECTION("a negative timeout does not wait") {
    // The task ends when this thread lets it, or after 30 s: a wait_for that waited for it
    // would return true, and late.
    sy::Event release;
    auto f = rt.spawn("held", [&release] {
      (void)release.wait_for(30s);
      return 7;
    });
    const auto start = Clock::now();
    CHECK_FALSE(f.wait_for(std::chrono::hours::min()));
    CHECK_FALSE(f.wait_for(-1s));
    CHECK(seconds_since(start) < 5);
    release.set();
    CHECK(f.get() == 7);
  }
}

TEST_CASE("timeouts: a stall threshold of microseconds::max() reports no stall", "[timeouts]") {
  sy::Config config = quiet_config();
  config.executors.stall_threshold = std::chrono::microseconds::max();
  sy::Runtime rt(config);
  std::vector<sy::Future<int>> spinners;
  for (int i = 0; i < 4; ++i) {
    spinners.push_back(rt.spawn(
        "spinner",
        [] {
          sy::test::spin_for(150ms);
          return 1;
        },
        sy::on(sy::Placement::fiber)));
  }
  for (auto& s : spinners) CHECK(s.get() == 1);
  for (const auto& kind : rt.report().kinds) {
    INFO(kind.name);
    CHECK(kind.stalls == 0);
  }
}

TEST_CASE("timeouts: an idle runtime with blocking_idle of milliseconds::max() stays idle",
          "[timeouts]") {
  sy::Config config = quiet_config();
  config.executors.blocking_idle = std::chrono::milliseconds::max();
  // The threads the pool keeps look again each time the idle time ends; those above the
  // minimum retire when it does.
  config.executors.blocking_min = 8;
  sy::Runtime rt(config);
  std::vector<sy::Future<int>> warm;
  for (int i = 0; i < 4; ++i) {
    warm.push_back(rt.spawn(
        "warm",
        [] {
          std::this_thread::sleep_for(50ms);
          return 1;
        },
        sy::on(sy::Placement::blocking)));
  }
  for (auto& w : warm) CHECK(w.get() == 1);
  const double cpu_before = process_cpu_seconds();
  std::this_thread::sleep_for(1s);
  // Idle, the runtime's threads take a few milliseconds of CPU a second; a thread that looks
  // again at once takes its core, or what a loaded machine leaves it.
  const double cpu = process_cpu_seconds() - cpu_before;
  INFO("CPU time over 1 s: " << cpu << " s");
  CHECK(cpu < 0.2);
}

TEST_CASE("timeouts: a shutdown grace of milliseconds::max() lets a sleeper finish", "[timeouts]") {
  sy::Config config = quiet_config();
  config.executors.shutdown_grace = std::chrono::milliseconds::max();
  std::optional<sy::Future<int>> sleeper;
  const auto start = Clock::now();
  {
    sy::Runtime rt(config);
    sleeper = rt.spawn("sleeper", [] {
      sy::this_task::sleep_for(300ms);
      return 1;
    });
    SECTION("by the destructor") {}
    SECTION("by shutdown(milliseconds::max())") {
      rt.shutdown(std::chrono::milliseconds::max());
    }
  }
  CHECK(outcome(*sleeper) == Outcome::value);
  CHECK(seconds_since(start) >= 0.3);
}
