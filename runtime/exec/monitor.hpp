// Monitor: the runtime's watchdog thread over the fiber executor.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "exec/monitor_bell.hpp"

namespace switchyard::detail {

class Executor;
class RuntimeCore;
class Worker;

// Monitor wakes every half stall threshold, and at least every 100 ms, or sooner for an alarm,
// which it rings (AlarmClock). It returns surplus free fiber stacks to the kernel now and then
// (StackPool::trim). For each of the fiber executor's Processors it polls the reactor if its
// owner has been too busy to (so timers and readiness are not held up by a long task slice),
// and, with the watchdog on, notices an owner that has been in the same task slice for longer
// than the stall threshold: it reports the stall to the runtime (which marks a kind that
// blocked in the OS as stalled, for the policy to move), and hands the Processor to another
// thread so the rest of its tasks keep running (as Go's sysmon hands off a P whose M is stuck
// in a system call).
class Monitor {
 public:
  Monitor(RuntimeCore& rt, Executor& fibers, MonitorBell& bell,
          std::chrono::microseconds stall_threshold, bool watchdog);
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

 private:
  // Watch is what the monitor last saw of one Processor's owner.
  struct Watch {
    const Worker* worker = nullptr;
    std::uint64_t switches = 0;
    std::int64_t since_ns = 0;      // when the current slice was first seen
    std::int64_t cpu_since_ns = 0;  // the owner thread's CPU time then
    bool reported = false;
  };

  void main();
  // tick() does a tick's work; true when a fiber task ran since the last tick.
  bool tick(std::int64_t now_ns) noexcept;

  RuntimeCore& runtime_;
  Executor& fibers_;
  const std::int64_t threshold_ns_;
  const bool watchdog_;
  std::vector<Watch> watches_;  // one per Processor; the monitor thread's own
  std::int64_t last_trim_ns_ = 0;
  std::int64_t last_retune_ns_ = 0;
  std::uint64_t fiber_slices_ = 0;  // the slices the Processors' owners had started, last tick

  MonitorBell& bell_;
  std::thread thread_;
};

}  // namespace switchyard::detail
