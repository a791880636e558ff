// CostModel: the expected completion time of a kind's task on each executor.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

#include <switchyard/config.hpp>
#include <switchyard/load_view.hpp>
#include <switchyard/machine_model.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/policy.hpp>

namespace switchyard {

// ServiceTime is what one task of a kind does once it runs, in nanoseconds per task.
struct ServiceTime {
  double cpu = 0, blocked = 0, wait = 0;

  // of() is the recent per-task means of `profile`.
  static ServiceTime of(const KindProfile& profile) noexcept;
};

// ServiceTimes holds a kind's service time on each executor.
using ServiceTimes = PerPlacement<ServiceTime>;

// Costs holds an expected completion time per Placement, in nanoseconds; empty where the
// kind may not go.
using Costs = PerPlacement<std::optional<double>>;

// CostModel estimates, for a task of a kind submitted now, the time to its completion on each
// executor: the calibrated cost of dispatching it there, plus its service time, stretched by
// the n tasks it competes with for the executor's P threads. A task holds its thread for its
// CPU and blocked time, and, on the thread pools and in shards, also for its waits (only a
// fiber lets go of its thread while it waits). When every task has a thread (n <= P) they share
// the cores and finish about together, after n * cpu / min(P, cores) plus their blocked time;
// when they queue, they are served in order and a task finishes, on average, after half of
// those ahead of it: (n + 1) / 2 * (cpu / min(P, cores) + (holding - cpu) / P). So a pool with a
// thread per core finishes CPU work sooner, on average, than one with a thread per task.
// It also keeps each executor's contract: a kind goes to fibers only while it mostly waits (by
// the decision table's thresholds), its tasks' CPU and blocked time stays under the stall
// threshold, and it was not caught stalling; to the CPU pool only while it mostly does not wait
// (a waiting task would hold a core's thread); and to shards only when it is a registered task.
// Plain data; any thread.
class CostModel {
 public:
  CostModel() = default;
  CostModel(const ExecutorsConfig& executors, const RulesConfig& rules) noexcept
      : blocking_max_(executors.blocking_max),
        stall_threshold_(executors.stall_threshold),
        rules_(rules) {}

  // fits() says whether `kind` may be placed on `p` at all.
  bool fits(const KindState& kind, Placement p) const noexcept;

  // costs() is the expected completion time of one of `kind`'s tasks on each executor it fits,
  // with `service` its service time there.
  Costs costs(const KindState& kind, const ServiceTimes& service, const LoadView& load,
              const MachineModel* machine) const noexcept;

  // keep_warm() keeps as many blocking-pool threads as are busy now, or half as many as were
  // kept, whichever is more: a pool busy a moment ago keeps its threads for the next burst
  // (starting one costs tens of microseconds) and lets them go over a few periods.
  static PoolSizes keep_warm(const LoadView& load, const PoolSizes& now) noexcept;

  // dispatch_ns() is what handing a task to `p` and hearing back costs: the calibrated figure,
  // or a conservative assumption where there is none.
  static double dispatch_ns(Placement p, const MachineModel* machine) noexcept;

 private:
  std::size_t blocking_max_ = ExecutorsConfig{}.blocking_max;
  std::chrono::nanoseconds stall_threshold_ = ExecutorsConfig{}.stall_threshold;
  RulesConfig rules_;
};

// choose() picks from `costs`: the kind's current executor while it costs at most `hysteresis`
// more than the cheapest, else `preferred` (the decision table's answer) if it does, else the
// cheapest. So a kind does not move for a gain smaller than the margin, and when it must move
// and the model cannot tell the candidates apart, the table decides.
Decision choose(const KindState& kind, const Costs& costs, const Decision& preferred,
                double hysteresis) noexcept;

}  // namespace switchyard
