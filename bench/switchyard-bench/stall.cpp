// stall: stall_ticks fibers ticking every 1 ms for stall_duration_ms, beside stall_tasks tasks
// that each block their thread in usleep for 200 ms (a call the runtime cannot see). Reports
// how late the ticks ran: a fiber executor that lets a blocked worker hold its fibers shows it
// here.
//
// Each tick fiber keeps a fixed schedule from the common start, staggered across the period so
// that the fibers are not all due at once. When a fiber wakes late, every tick that came due
// meanwhile counts as late by (now - its due time): a 200 ms stall weighs as the 200 ticks it
// swallowed, not as one late sample, and a fiber that could not even start until the end still
// reports its whole schedule. So every fiber reports the same number of ticks, and the
// checksum, their total, is fixed by the flags.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include <switchyard/this_task.hpp>

#include "quantile.hpp"
#include "timed_tasks.hpp"
#include "workload.hpp"

namespace switchyard::bench {

namespace {

constexpr std::chrono::nanoseconds kTickPeriod = std::chrono::milliseconds(1);
constexpr useconds_t kStallUs = 200'000;

// tick() runs one fiber's schedule: a tick due at `first`, then every kTickPeriod before `end`.
// Returns how late each tick ran.
std::vector<std::chrono::nanoseconds> tick(Clock::time_point first, Clock::time_point end) {
  std::vector<std::chrono::nanoseconds> lateness;
  lateness.reserve(static_cast<std::size_t>((end - first) / kTickPeriod) + 1);
  for (Clock::time_point due = first; due < end;) {
    this_task::sleep_until(due);
    const Clock::time_point now = Clock::now();
    for (; due <= now && due < end; due += kTickPeriod) lateness.push_back(now - due);
  }
  return lateness;
}

}  // namespace

Outcome run_stall(const BenchOptions& options, Runtime& runtime) {
  const Hint tick_hint = hint_for(options.placement, Placement::fiber);
  const Hint stall_hint = hint_for(options.placement, Placement::blocking);
  const auto ticks = static_cast<std::size_t>(options.stall_ticks);
  const auto stalls = static_cast<std::size_t>(options.stall_tasks);

  Outcome out;
  out.start = Clock::now();
  const Clock::time_point end = out.start + std::chrono::milliseconds(options.stall_duration_ms);
  TimedTasks<std::vector<std::chrono::nanoseconds>> tick_tasks;
  tick_tasks.reserve(ticks);
  for (std::size_t i = 0; i < ticks; ++i) {
    const Clock::time_point first =
        out.start + kTickPeriod + kTickPeriod * static_cast<long>(i) / static_cast<long>(ticks);
    tick_tasks.spawn(runtime, "tick", tick_hint, [first, end] { return tick(first, end); });
  }
  TimedTasks<void> stall_tasks;
  stall_tasks.reserve(stalls);
  for (std::size_t i = 0; i < stalls; ++i) {
    stall_tasks.spawn(runtime, "stall", stall_hint, [] { ::usleep(kStallUs); });
  }

  std::vector<std::chrono::nanoseconds> lateness;
  tick_tasks.collect(out, [&](std::size_t, const std::vector<std::chrono::nanoseconds>& late) {
    lateness.insert(lateness.end(), late.begin(), late.end());
  });
  stall_tasks.collect(out);

  out.checksum = lateness.size();
  std::sort(lateness.begin(), lateness.end());
  out.extra["tick_p50_ms"] = to_ms(nearest_rank(lateness, 0.50));
  out.extra["tick_p99_ms"] = to_ms(nearest_rank(lateness, 0.99));
  out.extra["tick_max_ms"] = lateness.empty() ? 0.0 : to_ms(lateness.back());
  return out;
}

}  // namespace switchyard::bench
