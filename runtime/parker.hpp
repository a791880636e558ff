// Parker: where an idle worker thread sleeps until it is given work or a deadline passes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace switchyard::detail {

// Parker puts one thread to sleep. unpark() may come from any thread, before or during
// park_until(); a wake-up is never lost (it is remembered until the next park).
class Parker {
 public:
  // park_until() blocks the calling thread until unpark() or `deadline`.
  void park_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lk(mutex_);
    if (deadline == std::chrono::steady_clock::time_point::max()) {
      cv_.wait(lk, [this] { return notified_; });
    } else {
      cv_.wait_until(lk, deadline, [this] { return notified_; });
    }
    notified_ = false;
  }

  void unpark() {
    {
      std::lock_guard lk(mutex_);
      notified_ = true;
    }
    cv_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool notified_ = false;
};

}  // namespace switchyard::detail
