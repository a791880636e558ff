// KindProfile: what the runtime has learned about one kind of task.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include <switchyard/counter_sample.hpp>
#include <switchyard/latency_histogram.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/task_sample.hpp>

namespace switchyard {

// KindProfile folds TaskSamples into moving averages (recent behaviour, for decisions),
// totals (everything so far, for reports) and a wall-time histogram (quantiles). Not
// thread-safe: the owner serializes access. add() is O(1) and never allocates.
//
// The active shares (what a task does when it is not queued) are averaged per task, so a
// kind's one-second waits do not outweigh its millisecond computations. And every average
// follows a change of behaviour at once: a short average of the last ~kShortWindow tasks' shares
// runs beside the long one, and when the two differ by more than kPhaseShift in any share, the
// kind has changed phase and the averages restart from the task that showed it.
class KindProfile {
 public:
  // Moving averages weigh the last ~kWindow tasks; until then, every task equally.
  static constexpr double kWindow = 32.0;
  // The short average weighs the last ~kShortWindow tasks.
  static constexpr double kShortWindow = 4.0;
  // A difference of this much in any active share between the short and the long average is a
  // change of phase. Two tasks that changed from all-waiting to all-CPU make one.
  static constexpr double kPhaseShift = 0.3;

  // add() folds one finished task in. Only a task that ran on `home`, the executor its kind's
  // tasks go to now (by default the task's own), counts in the moving averages: a policy's
  // trial elsewhere, or a task that started before its kind moved, counts in the totals only.
  // The first task from a new home restarts the averages, since they described another
  // executor.
  void add(const TaskSample& s, std::optional<Placement> home = std::nullopt) noexcept;

  // count() is the number of tasks folded in; failures() how many of them threw.
  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t failures() const noexcept { return failures_; }

  // *_share() are the shares of wall time (0..1) spent on CPU, blocked off-CPU inside OS
  // calls, suspended in Switchyard waits, waiting for other tasks to finish, and queued, over
  // every task. Zero before the first.
  double cpu_share() const noexcept { return totals_.of_wall(totals_.cpu); }
  double blocked_share() const noexcept { return totals_.of_wall(totals_.blocked); }
  double wait_share() const noexcept { return totals_.of_wall(totals_.wait); }
  double join_share() const noexcept { return totals_.of_wall(totals_.joined); }
  double queued_share() const noexcept { return totals_.of_wall(totals_.queued); }

  // active_*_share() are the same shares over the time its tasks were active (not queued,
  // not waiting for other tasks): what the task itself does, whatever the load and whatever
  // its children do. Placement decisions use these, because time spent queued says how busy
  // an executor is, not what kind of work a task is, and a parent waiting on its children is
  // neither waiting for the world nor blocked: its children say what the wait is. A task that
  // did nothing but wait for others says nothing of its kind.
  // They are averages of each task's own shares, over the tasks since the last phase change.
  double active_cpu_share() const noexcept { return shares_.cpu; }
  double active_blocked_share() const noexcept { return shares_.blocked; }
  double active_wait_share() const noexcept { return shares_.wait; }

  // moved() says the kind's tasks go to another executor from now on: its averages describe
  // the one it left, so nothing is counted as known (since_restart() is 0) until a task from
  // the new one comes in, whatever still arrives from the old one.
  void moved() noexcept { since_phase_ = 0; }
  // since_restart() counts the tasks in the averages: since the kind last moved or changed
  // phase (or since its first task).
  std::uint64_t since_restart() const noexcept { return since_phase_; }
  // phase_changes() counts the changes of behaviour detected so far.
  std::uint64_t phase_changes() const noexcept { return phase_changes_; }
  // unsettled() says the kind may be changing: its short average has moved half way to a
  // change of phase, or its averages restarted less than a short window ago. Its owner
  // measures every task until it settles, so a change is confirmed or dismissed in a few tasks.
  bool unsettled() const noexcept {
    return since_phase_ < 2 * kShortWindow || drift() > kPhaseShift / 2;
  }

  // mean_*() are recent per-task averages, since the last phase change.
  std::chrono::nanoseconds mean_wall() const noexcept { return as_ns(avg_.wall); }
  std::chrono::nanoseconds mean_cpu() const noexcept { return as_ns(avg_.cpu); }
  std::chrono::nanoseconds mean_blocked() const noexcept { return as_ns(avg_.blocked); }
  std::chrono::nanoseconds mean_wait() const noexcept { return as_ns(avg_.wait); }

  // Totals over every task folded in.
  struct Totals {
    std::chrono::nanoseconds wall{0}, cpu{0}, blocked{0}, wait{0}, joined{0}, queued{0};
    WaitTimes waits{};  // `wait` by cause
    std::uint64_t migrations = 0;

    // of_wall() and of_active() are `part`'s share of the total wall time and of the total
    // active time (cpu + blocked + wait); zero before the first task.
    double of_wall(std::chrono::nanoseconds part) const noexcept { return ratio(part, wall); }
    double of_active(std::chrono::nanoseconds part) const noexcept {
      return ratio(part, cpu + blocked + wait);
    }

   private:
    static double ratio(std::chrono::nanoseconds part, std::chrono::nanoseconds whole) noexcept {
      return whole.count() > 0
                 ? static_cast<double>(part.count()) / static_cast<double>(whole.count())
                 : 0.0;
    }
  };
  const Totals& totals() const noexcept { return totals_; }

  // counted() is how many of the tasks folded in read the counters; counter_totals() sums
  // their counter deltas (a field is valid when every one of them had it).
  std::uint64_t counted() const noexcept { return counted_; }
  const CounterSample& counter_totals() const noexcept { return counter_totals_; }

  // wall_quantile() is the q-quantile of wall time over every task (within 12.5%).
  std::chrono::nanoseconds wall_quantile(double q) const noexcept { return wall_.quantile(q); }
  // wall_histogram() is the distribution of wall time over every task.
  const LatencyHistogram& wall_histogram() const noexcept { return wall_; }

 private:
  struct Averages {
    double wall = 0, cpu = 0, blocked = 0, wait = 0, queued = 0;
  };
  struct Shares {
    double cpu = 0, blocked = 0, wait = 0;
  };
  // restart() makes `task` the whole of the moving averages.
  void restart(const Averages& task) noexcept;
  static Shares shares_of(const Averages& task) noexcept;
  // fold_shares() folds one task's shares in, the long average with `weight`; true when the
  // kind has changed phase.
  bool fold_shares(const Averages& task, double weight) noexcept;
  // drift() is the largest difference of an active share between the short and long averages.
  double drift() const noexcept;
  static std::chrono::nanoseconds as_ns(double v) noexcept {
    return std::chrono::nanoseconds{static_cast<std::int64_t>(v)};
  }

  std::uint64_t count_ = 0;
  std::uint64_t failures_ = 0;
  Averages avg_;
  Shares shares_;                  // long average, since the last phase change
  Shares short_shares_;            // short average
  std::uint64_t shared_ = 0;       // tasks folded into short_shares_ since it restarted
  std::uint64_t since_phase_ = 0;  // ...and into shares_ since the last phase change
  std::uint64_t phase_changes_ = 0;
  std::optional<Placement> home_;  // where the averaged tasks ran
  Totals totals_;
  LatencyHistogram wall_;
  std::uint64_t counted_ = 0;
  CounterSample counter_totals_;
};

}  // namespace switchyard
