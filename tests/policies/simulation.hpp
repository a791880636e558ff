// Simulation: a fake runtime for one task kind, for the policies tests, around the same
// KindGovernor the runtime uses. Each step is one new task: it goes where the governor sends
// it (its kind's placement, or a trial), does what `behaviour` says a task does on that
// executor, and is handed to the governor as a finished task; with a `lag`, each step
// finishes the task started `lag` steps before instead, so tasks started before a move finish
// after it, as they do in a runtime. The clock is fake: it advances by `step` per task, so
// every run is the same.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

#include <switchyard/kind_governor.hpp>
#include <switchyard/policy.hpp>

#include "fixed_surroundings.hpp"

namespace switchyard::test {

class Simulation {
 public:
  using Behaviour = std::function<TaskSample(Placement)>;

  // Simulation() makes a kind whose tasks go to `start` until its first decision, taken here.
  Simulation(Policy& policy, Placement start, bool shardable = false,
             std::optional<Placement> pinned = std::nullopt)
      : policy_(policy), governor_("k", KindTraits{pinned, shardable, true, start}) {
    surroundings.load_view[Placement::fiber].workers = 2;
    surroundings.load_view[Placement::cpu].workers = 2;
    surroundings.load_view[Placement::shard].workers = 2;
    place();
  }

  // run() simulates `tasks` tasks doing `behaviour`.
  void run(int tasks, const Behaviour& behaviour) {
    for (int i = 0; i < tasks; ++i) {
      now += step;
      const Placement where = governor_.take_trial(seq_++).value_or(governor_.current());
      ++ran_on_[static_cast<std::size_t>(where)];
      started_.push_back(where);
      if (started_.size() <= lag) continue;
      TaskSample s = behaviour(started_.front());
      s.placement = started_.front();
      started_.pop_front();
      governor_.finished(s, counsel());
    }
  }

  // place() asks the governor for a fresh decision.
  void place() { governor_.decide(counsel()); }
  // stall() reports the watchdog catching a task of the kind blocking a fiber worker.
  void stall() { governor_.stalled(counsel()); }

  Placement current() const noexcept { return governor_.current(); }
  int moves() const noexcept { return static_cast<int>(governor_.moves()); }
  // ran_on() counts the tasks that ran on `p`, trials included.
  int ran_on(Placement p) const noexcept { return ran_on_[static_cast<std::size_t>(p)]; }
  const KindProfile& profile() const noexcept { return governor_.profile(); }
  const KindGovernor& governor() const noexcept { return governor_; }

  // What the runtime would tell the governor about the kind, and its surroundings.
  std::uint32_t inflight = 1;
  std::size_t lag = 0;
  std::chrono::nanoseconds step = std::chrono::milliseconds(10);
  std::chrono::nanoseconds now{0};
  FixedSurroundings surroundings;

 private:
  Counsel counsel() { return {policy_, surroundings, now, inflight}; }

  Policy& policy_;
  KindGovernor governor_;
  std::uint64_t seq_ = 0;
  std::array<int, 4> ran_on_{};
  std::deque<Placement> started_;  // started, not yet finished, oldest first
};

// anywhere() is a behaviour that does not depend on the executor.
inline Simulation::Behaviour anywhere(TaskSample s) {
  return [s](Placement) { return s; };
}

}  // namespace switchyard::test
