// TaskSample: what one finished task did, as measured by the runtime.
#pragma once

#include <chrono>
#include <optional>

#include <switchyard/counter_sample.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/wait_cause.hpp>

namespace switchyard {

// TaskSample is the measurement of one task, from spawn to completion. The parts add up to
// about `wall`: queued (ready but not running, or running but preempted by the OS) + cpu
// (running on a CPU) + blocked (running, but waiting inside an OS call) + wait() (suspended
// in a Switchyard wait: I/O, timer, lock) + joined (suspended on another task's future).
struct TaskSample {
  Placement placement = Placement::fiber;  // where it finished
  std::chrono::nanoseconds wall{0};
  std::chrono::nanoseconds cpu{0};
  std::chrono::nanoseconds blocked{0};
  // waits: time suspended in Switchyard waits, by what was waited for.
  WaitTimes waits{};
  // joined: waiting for other tasks to finish. Neither the task's own work nor a wait for the
  // world: a parent that waits on its children is as busy or as idle as they are.
  std::chrono::nanoseconds joined{0};
  std::chrono::nanoseconds queued{0};
  unsigned migrations = 0;  // executor changes during the task
  bool failed = false;      // ended with an exception
  // counters: the thread counters' deltas over the task's slices, for a task that read them.
  std::optional<CounterSample> counters;

  // wait() is the time suspended in Switchyard waits: the waits added up.
  std::chrono::nanoseconds wait() const noexcept {
    std::chrono::nanoseconds total{0};
    for (const std::chrono::nanoseconds w : waits) total += w;
    return total;
  }
};

}  // namespace switchyard
