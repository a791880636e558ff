// Semaphore: a count of permits that tasks and threads acquire and release.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include <switchyard/deadline.hpp>
#include <switchyard/detail/spinlock.hpp>
#include <switchyard/detail/wait_list.hpp>
#include <switchyard/detail/wait_stats.hpp>

namespace switchyard {

// Semaphore holds a count of permits. acquire() takes one, waiting while there is none: a task
// suspends (on any executor), a thread blocks; a task's wait ends in TaskCancelled when its
// runtime cancels its waits at shutdown. release() gives permits back, to the longest waiters
// first. Unlike a Mutex, a permit may be released by anyone.
class Semaphore {
 public:
  // max() is the most permits a Semaphore holds.
  static constexpr std::ptrdiff_t max() noexcept { return PTRDIFF_MAX; }

  // Semaphore() starts with `permits` available. Throws std::invalid_argument when negative.
  explicit Semaphore(std::ptrdiff_t permits);
  // Semaphore(permits, name) is a named Semaphore: the reports of the runtimes whose tasks wait
  // on it list its waits (docs/report.md). Throws std::invalid_argument as Semaphore(permits)
  // does, and for a name over 256 bytes.
  Semaphore(std::ptrdiff_t permits, std::string_view name);
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;
  ~Semaphore() = default;

  // set_name() names it, as the constructor with a name does (an empty name unnames it).
  // Before it is shared. Throws std::invalid_argument for a name over 256 bytes.
  void set_name(std::string_view name) { name_.set("Semaphore", name); }
  // acquire() takes a permit, waiting as long as it takes.
  void acquire() { try_acquire_until(Deadline::none()); }
  // try_acquire() takes a permit if one is available and nobody waits; never waits.
  bool try_acquire() noexcept;
  // try_acquire_until() takes a permit, waiting until `deadline` at most.
  bool try_acquire_until(Deadline deadline);
  // try_acquire_for() is try_acquire_until(now + timeout).
  template <class Rep, class Period>
  bool try_acquire_for(const std::chrono::duration<Rep, Period>& timeout) {
    return try_acquire_until(Deadline(timeout));
  }
  // release() gives back `n` permits, waking as many waiters. Throws std::invalid_argument for
  // a negative `n` and std::overflow_error when the count would pass max() (nothing released).
  // Never waits.
  void release(std::ptrdiff_t n = 1);
  // available() is the count of free permits at the moment. Never waits.
  std::ptrdiff_t available() const noexcept;

 private:
  mutable detail::Spinlock lock_;
  std::ptrdiff_t permits_;    // guarded by lock_
  detail::WaitList waiters_;  // guarded by lock_
  detail::WaitName name_;
};

}  // namespace switchyard
