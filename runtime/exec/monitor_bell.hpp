// MonitorBell: where the monitor sleeps between ticks, and how a fiber worker or an alarm wakes
// it early.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace switchyard::detail {

// MonitorBell lets the monitor doze while the fiber executor is idle, instead of waking every
// half stall threshold for nothing (on a machine of few cores each wake-up takes a core from
// a worker). A fiber worker that leaves idle rings it: a dozing monitor wakes at once, and a
// ring that comes between the monitor's last look and its doze is kept (`rung_`), so that
// doze ends at once too. Owned by the runtime, so it outlives both the monitor and the workers
// that ring it.
class MonitorBell {
 public:
  // rearm() forgets the rings so far, and says whether there was one: the monitor calls it
  // before it looks at the workers.
  bool rearm() noexcept { return rung_.exchange(false, std::memory_order_seq_cst); }
  // sleep() waits for `period`, or, when `doze`, until rung (since rearm()) or `period` ends;
  // hurry() ends it too. True once stop() was called. The monitor's thread.
  bool sleep(std::chrono::nanoseconds period, bool doze) {
    std::unique_lock lk(mutex_);
    dozing_.store(doze, std::memory_order_seq_cst);
    cv_.wait_for(lk, period, [&] {
      return stop_ || hurried_ || (doze && rung_.load(std::memory_order_seq_cst));
    });
    dozing_.store(false, std::memory_order_seq_cst);
    // The monitor plans its next sleep from here: what hurried this one is in that plan.
    hurried_ = false;
    return stop_;
  }
  // ring() wakes a dozing monitor, or keeps it from dozing. Both flags are sequentially
  // consistent: either the monitor sees the ring before it waits, or this sees it dozing.
  // A fiber worker, each time it leaves idle; never blocks for long.
  void ring() noexcept {
    rung_.store(true, std::memory_order_seq_cst);
    if (!dozing_.load(std::memory_order_seq_cst)) return;
    std::lock_guard lk(mutex_);
    cv_.notify_one();
  }
  // hurry() ends the monitor's sleep at once, or its next one: an alarm was armed for before
  // the monitor meant to wake (AlarmClock::arm()). Any thread; seldom (never while the
  // monitor's plan already covers the alarm).
  void hurry() noexcept {
    {
      std::lock_guard lk(mutex_);
      hurried_ = true;
    }
    cv_.notify_one();
  }
  // stop() ends every sleep at once, and the next ones.
  void stop() {
    {
      std::lock_guard lk(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;     // guarded by mutex_
  bool hurried_ = false;  // guarded by mutex_
  std::atomic<bool> dozing_{false};
  std::atomic<bool> rung_{false};
};

}  // namespace switchyard::detail
