// Simulation: a fake runtime for one task kind, for the policies tests. Each step is one new
// task: it goes where the policy's last Decision (or that Decision's Trial) sends it, does what
// `behaviour` says a task does on that executor, is folded into the kind's profile, observed,
// and the policy is asked again, in that order, as RuntimeCore does; with a `lag`, each step
// finishes the task started `lag` steps before instead, so tasks started before a move finish
// after it, as they do in a runtime. The samples carry their times, so there is no clock:
// every run is the same.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string_view>

#include <switchyard/kind_profile.hpp>
#include <switchyard/policy.hpp>

#include "fixed_surroundings.hpp"

namespace switchyard::test {

class Simulation {
 public:
  using Behaviour = std::function<TaskSample(Placement)>;

  Simulation(Policy& policy, Placement start) : policy_(policy), current_(start) {
    surroundings.load_view[Placement::fiber].workers = 2;
    surroundings.load_view[Placement::cpu].workers = 2;
    surroundings.load_view[Placement::shard].workers = 2;
    place();
  }

  // run() simulates `tasks` tasks doing `behaviour`.
  void run(int tasks, const Behaviour& behaviour) {
    for (int i = 0; i < tasks; ++i) {
      Placement where = current_;
      if (trial_every_ != 0 && seq_ % trial_every_ == 0 && trials_left_ > 0) {
        --trials_left_;
        where = trial_placement_;
      }
      ++seq_;
      ++ran_on_[static_cast<std::size_t>(where)];
      started_.push_back(where);
      if (started_.size() <= lag) continue;
      where = started_.front();
      started_.pop_front();
      TaskSample s = behaviour(where);
      s.placement = where;
      profile_.add(s, current_);
      policy_.observe(state(), s);
      place();
    }
  }

  // place() asks the policy and applies its answer.
  void place() {
    const Decision d = policy_.place(state(), surroundings);
    if (d.placement != current_) {
      ++moves_;
      profile_.moved();
    }
    current_ = d.placement;
    trial_every_ = d.trial.every;
    if (d.trial.every != 0 && d.trial.round != trial_round_) {
      trial_round_ = d.trial.round;
      trial_placement_ = d.trial.placement;
      trials_left_ = d.trial.count;
    }
  }

  KindState state() const {
    return {"k", profile_, current_, pinned, inflight, stalled, shardable};
  }

  Placement current() const noexcept { return current_; }
  int moves() const noexcept { return moves_; }
  // ran_on() counts the tasks that ran on `p`, trials included.
  int ran_on(Placement p) const noexcept { return ran_on_[static_cast<std::size_t>(p)]; }
  const KindProfile& profile() const noexcept { return profile_; }

  // What the runtime would tell the policy about the kind, and its surroundings.
  std::optional<Placement> pinned;
  std::uint32_t inflight = 1;
  std::size_t lag = 0;
  bool stalled = false;
  bool shardable = false;
  FixedSurroundings surroundings;

 private:
  Policy& policy_;
  KindProfile profile_;
  Placement current_;
  std::uint64_t seq_ = 0;
  std::uint32_t trial_every_ = 0;
  std::uint32_t trials_left_ = 0;
  std::uint32_t trial_round_ = 0;
  Placement trial_placement_ = Placement::fiber;
  int moves_ = 0;
  std::array<int, 4> ran_on_{};
  std::deque<Placement> started_;  // started, not yet finished, oldest first
};

// anywhere() is a behaviour that does not depend on the executor.
inline Simulation::Behaviour anywhere(TaskSample s) {
  return [s](Placement) { return s; };
}

}  // namespace switchyard::test
