// Mutex: mutual exclusion that suspends a waiting task and blocks a waiting thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include <switchyard/deadline.hpp>
#include <switchyard/detail/spinlock.hpp>
#include <switchyard/detail/wait_list.hpp>
#include <switchyard/detail/wait_stats.hpp>

namespace switchyard {

// Mutex is a lock that tasks and plain threads may contend on together. A task that must wait
// suspends (on any executor: its thread runs other tasks meanwhile), a thread blocks. It is
// owned by the task, not the thread: a task may hold it across a sleep, a future's get() or a
// move to another executor, and unlock it from wherever it resumed. Waiting for it counts as
// waiting in the task's measurements. At shutdown, once the grace period ends, a task waiting
// for it gets TaskCancelled. Not recursive. Meets the Lockable and TimedLockable requirements
// (use it with std::lock_guard, std::unique_lock, std::scoped_lock).
//
// A released Mutex is up for grabs: the waiter it wakes competes with whoever asks first, which
// keeps a busy lock moving; a waiter that has waited more than a millisecond is handed it
// directly instead, so none starves.
class Mutex {
 public:
  Mutex() = default;
  // Mutex(name) is a named Mutex: the reports of the runtimes whose tasks wait on it list its
  // waits (docs/report.md). Throws std::invalid_argument for a name over 256 bytes.
  explicit Mutex(std::string_view name) : name_("Mutex", name) {}
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;
  ~Mutex() = default;

  // lock() acquires the mutex, waiting as long as it takes. Throws TaskCancelled in a task whose
  // runtime cancels its waits at shutdown.
  void lock() {
    if (!try_lock()) lock_slow(Deadline::none());
  }
  // try_lock() acquires the mutex if it is free; never waits.
  bool try_lock() noexcept {
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    while ((s & kLocked) == 0) {
      if (state_.compare_exchange_weak(s, s | kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
        return true;
      }
    }
    return false;
  }
  // try_lock_until() acquires the mutex, waiting until `deadline` at most; false if it did not.
  // A Deadline converts from a steady_clock time_point and from a duration.
  bool try_lock_until(Deadline deadline) { return try_lock() || lock_slow(deadline); }
  // try_lock_for() is try_lock_until(now + timeout).
  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
    return try_lock_until(Deadline(timeout));
  }
  // set_name() names it, as the constructor with a name does (an empty name unnames it).
  // Before it is shared. Throws std::invalid_argument for a name over 256 bytes.
  void set_name(std::string_view name) { name_.set("Mutex", name); }
  // unlock() releases the mutex, which the caller holds. Never waits.
  void unlock() noexcept {
    std::uint32_t locked = kLocked;
    if (!state_.compare_exchange_strong(locked, 0, std::memory_order_release,
                                        std::memory_order_relaxed)) {
      unlock_slow();
    }
  }

 private:
  static constexpr std::uint32_t kLocked = 1;
  static constexpr std::uint32_t kWaiters = 2;  // waiters_ is not empty

  bool lock_slow(Deadline deadline);
  void unlock_slow() noexcept;

  std::atomic<std::uint32_t> state_{0};
  detail::Spinlock lock_;
  detail::WaitList waiters_;  // guarded by lock_
  detail::WaitName name_;
};

}  // namespace switchyard
