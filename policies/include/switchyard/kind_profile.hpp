// KindProfile: what the runtime has learned about one kind of task.
#pragma once

#include <chrono>
#include <cstdint>

#include <switchyard/counter_sample.hpp>
#include <switchyard/latency_histogram.hpp>
#include <switchyard/task_sample.hpp>

namespace switchyard {

// KindProfile folds TaskSamples into moving averages (recent behaviour, for decisions),
// totals (everything so far, for reports) and a wall-time histogram (quantiles). Not
// thread-safe: the owner serializes access. add() is O(1) and never allocates.
class KindProfile {
 public:
  // Moving averages weigh the last ~kWindow tasks; until then, every task equally.
  static constexpr double kWindow = 32.0;

  // add() folds one finished task in.
  void add(const TaskSample& s) noexcept;

  // count() is the number of tasks folded in; failures() how many of them threw.
  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t failures() const noexcept { return failures_; }

  // *_share() are the recent shares of wall time (0..1) spent on CPU, blocked off-CPU inside
  // OS calls, suspended in Switchyard waits, and queued. Zero before the first task.
  double cpu_share() const noexcept { return share(avg_.cpu); }
  double blocked_share() const noexcept { return share(avg_.blocked); }
  double wait_share() const noexcept { return share(avg_.wait); }
  double queued_share() const noexcept { return share(avg_.queued); }

  // active_*_share() are the same shares over the time its tasks were not queued: what the
  // task itself does, whatever the load. Placement decisions use these, because time spent
  // queued says how busy an executor is, not what kind of work a task is.
  double active_cpu_share() const noexcept { return active_share(avg_.cpu); }
  double active_blocked_share() const noexcept { return active_share(avg_.blocked); }
  double active_wait_share() const noexcept { return active_share(avg_.wait); }

  // mean_wall() and mean_cpu() are recent per-task averages.
  std::chrono::nanoseconds mean_wall() const noexcept { return as_ns(avg_.wall); }
  std::chrono::nanoseconds mean_cpu() const noexcept { return as_ns(avg_.cpu); }

  // Totals over every task folded in.
  struct Totals {
    std::chrono::nanoseconds wall{0}, cpu{0}, blocked{0}, wait{0}, queued{0};
    std::uint64_t migrations = 0;
  };
  const Totals& totals() const noexcept { return totals_; }

  // counted() is how many of the tasks folded in read the counters; counter_totals() sums
  // their counter deltas (a field is valid when every one of them had it).
  std::uint64_t counted() const noexcept { return counted_; }
  const CounterSample& counter_totals() const noexcept { return counter_totals_; }

  // wall_quantile() is the q-quantile of wall time over every task (within 12.5%).
  std::chrono::nanoseconds wall_quantile(double q) const noexcept { return wall_.quantile(q); }

 private:
  struct Averages {
    double wall = 0, cpu = 0, blocked = 0, wait = 0, queued = 0;
  };
  double share(double part) const noexcept { return avg_.wall > 0 ? part / avg_.wall : 0.0; }
  double active_share(double part) const noexcept {
    const double active = avg_.cpu + avg_.blocked + avg_.wait;
    return active > 0 ? part / active : 0.0;
  }
  static std::chrono::nanoseconds as_ns(double v) noexcept {
    return std::chrono::nanoseconds{static_cast<std::int64_t>(v)};
  }

  std::uint64_t count_ = 0;
  std::uint64_t failures_ = 0;
  Averages avg_;
  Totals totals_;
  LatencyHistogram wall_;
  std::uint64_t counted_ = 0;
  CounterSample counter_totals_;
};

}  // namespace switchyard
