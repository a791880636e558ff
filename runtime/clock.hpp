// Clocks the measurements read: wall (monotonic) and the calling thread's CPU time.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdint>

namespace switchyard::detail {

// steady_ns() reads the monotonic clock (vDSO, ~20 ns).
inline std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
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

}  // namespace switchyard::detail
