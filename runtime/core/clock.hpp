// Clocks the measurements read: wall (monotonic) and the calling thread's CPU time.
#pragma once

#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cstdint>

namespace switchyard::detail {

// steady_ns() reads the monotonic clock (vDSO, ~20 ns).
inline std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// clock_ns() reads any clock (a thread's CPU clock, CLOCK_MONOTONIC) in nanoseconds; 0 if
// it cannot be read (a thread that has exited).
inline std::int64_t clock_ns(clockid_t clock) noexcept {
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) return 0;
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// to_timespec() is a duration of `ns` nanoseconds (negative counts as zero) as a timeout.
inline timespec to_timespec(std::int64_t ns) noexcept {
  ns = ns < 0 ? 0 : ns;
  return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

// ThreadUsage is what the kernel accounts to the calling thread: CPU time (user + system,
// which the kernel scales to sum to its precise runtime; microsecond resolution) and how
// often it gave up the CPU voluntarily (it blocked).
struct ThreadUsage {
  std::int64_t cpu_ns = 0;
  std::int64_t voluntary_switches = 0;
};

// thread_usage() reads ThreadUsage with one getrusage(RUSAGE_THREAD) call: ~300 ns here, a
// system call, which is why only sampled tasks read it. It is cheaper than
// clock_gettime(CLOCK_THREAD_CPUTIME_ID) (~520 ns here), and the voluntary switch count is
// what tells a slice that blocked in the kernel from one that was preempted.
inline ThreadUsage thread_usage() noexcept {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  auto ns = [](const timeval& tv) {
    return std::int64_t{tv.tv_sec} * 1'000'000'000 + std::int64_t{tv.tv_usec} * 1000;
  };
  return {ns(ru.ru_utime) + ns(ru.ru_stime), ru.ru_nvcsw};
}

// blocked_ns() is how much of `off_cpu_ns`, time a thread spent off the CPU between two
// readings, it was blocked in the kernel: all of it if the thread gave up the CPU itself in
// between (it blocked), none if it did not (it was preempted: runnable, queued for a core).
inline std::int64_t blocked_ns(const ThreadUsage& from, const ThreadUsage& to,
                               std::int64_t off_cpu_ns) noexcept {
  return to.voluntary_switches != from.voluntary_switches ? off_cpu_ns : 0;
}

}  // namespace switchyard::detail
