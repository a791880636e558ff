// Clocks the measurements read: wall (monotonic) and the calling thread's CPU time.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>

namespace switchyard::detail {

// steady_ns() reads the monotonic clock (vDSO, ~20 ns).
inline std::int64_t steady_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// thread_cpu_ns() reads the calling thread's CPU time. It is a system call (no vDSO path
// for CLOCK_THREAD_CPUTIME_ID), which is why only sampled tasks read it.
inline std::int64_t thread_cpu_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace switchyard::detail
