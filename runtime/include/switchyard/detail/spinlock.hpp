// Spinlock: a test-and-test-and-set lock for critical sections of a few instructions.
#pragma once

#include <atomic>

namespace switchyard::detail {

// Spinlock guards run queues and the wait lists of the synchronization primitives: their
// critical sections are a few pointer moves, shorter than a futex round trip, and they are
// taken on every fiber switch. Never hold one across anything that can block or suspend.
// Meets the Lockable requirements.
class Spinlock {
 public:
  void lock() noexcept {
    for (;;) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      while (locked_.load(std::memory_order_relaxed)) __builtin_ia32_pause();
    }
  }
  bool try_lock() noexcept {
    return !locked_.load(std::memory_order_relaxed) &&
           !locked_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace switchyard::detail
