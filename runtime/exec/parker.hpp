// Parker: where an idle worker thread sleeps until it is given work or a deadline passes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "exec/spin_wait.hpp"

namespace switchyard::detail {

// Parker puts one thread to sleep. unpark() may come from any thread, before or during
// park_until(); a wake-up is never lost (it is remembered until the next park). A parking
// thread spins first (spin_wait()).
class Parker {
 public:
  // park_until() blocks the calling thread until unpark() or `deadline`.
  void park_until(std::chrono::steady_clock::time_point deadline) {
    spin_wait([this] { return notified_.load(std::memory_order_acquire); }, deadline);
    std::unique_lock lk(mutex_);
    auto woken = [this] { return notified_.load(std::memory_order_relaxed); };
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      cv_.wait(lk, woken);
    } else {
      cv_.wait_until(lk, deadline, woken);
    }
    notified_.store(false, std::memory_order_relaxed);
  }

  void unpark() {
    {
      std::lock_guard lk(mutex_);
      notified_.store(true, std::memory_order_release);
    }
    cv_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> notified_{false};  // written under mutex_, read while spinning without it
};

}  // namespace switchyard::detail
