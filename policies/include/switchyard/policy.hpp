// Policy: the seam through which the runtime asks where a kind of task should run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <switchyard/kind_profile.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/surroundings.hpp>
#include <switchyard/task_sample.hpp>

namespace switchyard {

// KindState is what a policy sees of one task kind when it decides.
struct KindState {
  std::string_view name;
  const KindProfile& profile;
  Placement current = Placement::fiber;  // where its new tasks go now
  std::optional<Placement> pinned;       // set by config or hint: never moves
  std::uint32_t inflight = 0;            // its tasks spawned and not yet finished
  bool stalled = false;                  // caught blocking a fiber worker, not yet re-measured
  bool shardable = false;                // a registered task: it can run in a shard process
};

// Trial asks the runtime to send a few of a kind's new tasks somewhere else, to measure them
// there: one new task in `every` goes to `placement`, `count` of them in all. The runtime
// starts a new batch of `count` only when `round` changes, so a policy can repeat its request
// on every decision without multiplying the trials. Trial tasks are always measured. every ==
// 0 asks for none.
struct Trial {
  Placement placement = Placement::fiber;
  std::uint32_t every = 0;
  std::uint32_t count = 0;
  std::uint32_t round = 0;
};

// Decision is a policy's answer: the placement and the rule that chose it, with the measured
// value and the threshold it was compared against (for reports; zero when not applicable),
// and any trial it wants run.
struct Decision {
  Decision(Placement where = Placement::fiber, std::string_view why = {}, double value = 0.0,
           double bar = 0.0) noexcept
      : placement(where), rule(why), measured(value), threshold(bar) {}

  Placement placement = Placement::fiber;
  std::string_view rule;  // static text
  double measured = 0.0;
  double threshold = 0.0;
  Trial trial;
};

// PoolSizes is what a policy's retune() asks of the elastic executors: how many blocking-pool
// threads to keep alive while idle (the pool still grows on demand up to its maximum).
struct PoolSizes {
  std::size_t blocking_keep = 0;
};

// Policy decides placements. A new task goes where its kind's last Decision said (or to that
// decision's trial), so placing a task costs a policy nothing; the runtime asks place() when a
// kind is first seen, and again after each measured task of the kind is folded into its
// profile and observe()d, and after stalled(). These per-kind hooks run holding that kind's
// lock, so calls for one kind never overlap; calls for different kinds may come from
// different threads at once, so any state shared across kinds must be synchronized by the
// policy. retune() comes from the runtime's monitor thread, about every 100 ms. Every hook is
// noexcept and must be cheap: they run on worker threads at task completion.
class Policy {
 public:
  virtual ~Policy() = default;
  // name() is the policy's config name ("rules", "cost", ...).
  virtual std::string_view name() const noexcept = 0;
  // place() decides where the kind's next tasks run; `around` gives the executors' load and
  // the calibrated machine, on demand.
  virtual Decision place(const KindState& kind, const Surroundings& around) noexcept = 0;
  // observe() sees each measured task of the kind, after it was folded into kind.profile.
  virtual void observe(const KindState& /*kind*/, const TaskSample& /*sample*/) noexcept {}
  // stalled() hears that the watchdog caught a task of the kind blocking a fiber worker;
  // kind.stalled is already set.
  virtual void stalled(const KindState& /*kind*/) noexcept {}
  // retune() sizes the elastic executors from their load; `now` is what they are set to.
  virtual PoolSizes retune(const LoadView& /*load*/, const PoolSizes& now) noexcept { return now; }
};

}  // namespace switchyard
