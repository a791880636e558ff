// Spinlock: a test-and-test-and-set lock for critical sections of a few instructions.
#pragma once

#include <sched.h>

#include <atomic>

namespace switchyard::detail {

// Spinlock guards run queues and the wait lists of the synchronization primitives: their
// critical sections are a few pointer moves, shorter than a futex round trip, and they are
// taken on every fiber switch. Never hold one across anything that can block or suspend.
// Meets the Lockable requirements.
class Spinlock {
 public:
  // lock() looks at a held lock only every kPausesPerLook pauses, as Go's runtime lock does:
  // a waiter that reads the lock's cache line in a tight loop takes it from the holder on
  // every look, and two workers trading one channel's lock spent most of their time moving
  // the line (4 senders x 4 receivers on one channel ran 3.4x slower on two workers than on
  // one). After kLooksBeforeYield looks the holder is likely off its CPU (more threads than
  // cores), and the waiter gives its CPU up between looks.
  void lock() noexcept {
    for (unsigned looks = 0;;) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      while (locked_.load(std::memory_order_relaxed)) {
        if (++looks > kLooksBeforeYield) {
          sched_yield();
        } else {
          for (unsigned i = 0; i < kPausesPerLook; ++i) __builtin_ia32_pause();
        }
      }
    }
  }
  bool try_lock() noexcept {
    return !locked_.load(std::memory_order_relaxed) &&
           !locked_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  static constexpr unsigned kPausesPerLook = 30;
  static constexpr unsigned kLooksBeforeYield = 256;
  std::atomic<bool> locked_{false};
};

}  // namespace switchyard::detail
