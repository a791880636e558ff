// ExplorePolicy: try the alternatives on a few tasks, keep the measured best.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <switchyard/config.hpp>
#include <switchyard/cost_policy.hpp>
#include <switchyard/kind_profile.hpp>
#include <switchyard/policy.hpp>

namespace switchyard {

// ExplorePolicy is CostPolicy fed with measurements from every executor instead of only the
// current one. Once CostPolicy decides a kind, it sends a small share (`explore.share`) of the
// kind's new tasks to each other executor the kind fits, kTrialTasks to each in turn, and
// keeps a KindProfile of what they did there. It then places the kind as CostPolicy does, with
// each executor's measured service time: so a task that serializes on a lock in threads, and
// runs freely in a shard, goes to shards, which no model of the current executor alone can
// see. It explores again when the kind changes phase (KindProfile) or its shares drift by more
// than `explore.shift` from what they were once it settled after the last exploration.
//
// Its state per kind is guarded by one mutex, taken by place() and observe() only.
class ExplorePolicy final : public Policy {
 public:
  // kTrialTasks tasks are measured on each alternative before it is judged.
  static constexpr std::uint32_t kTrialTasks = 4;

  ExplorePolicy(const PolicyConfig& params, const ExecutorsConfig& executors) noexcept
      : cost_(params, executors), params_(params.explore) {}

  std::string_view name() const noexcept override { return "explore"; }
  Decision place(const KindState& kind, const Surroundings& around) noexcept override;
  PoolSizes retune(const LoadView& load, const PoolSizes& now) noexcept override {
    return cost_.retune(load, now);
  }
  void observe(const KindState& kind, const TaskSample& sample) noexcept override;

 private:
  // Exploration: one kind's state.
  struct Exploration {
    PerPlacement<KindProfile> at;           // its tasks on each executor since it began
    std::uint64_t phase = 0;                // the profile's phase_changes() last seen
    std::uint32_t round = 0;                // the Trial round last asked for...
    std::optional<Placement> trying;        // ...and where to; none since a restart
    std::uint64_t round_began = 0;          // the profile's count() when that round began
    bool done = false;                      // every alternative measured
    std::optional<Placement> baseline_at;   // where the kind ran when the shares below
                                            // were taken; none while they are not set
    double cpu = 0, blocked = 0, wait = 0;  // the kind's shares once it settled after `done`
  };

  // restart_if_changed() begins a new exploration when the kind changed phase or drifted.
  void restart_if_changed(Exploration& e, const KindState& kind) const noexcept;
  // trial() is the next alternative to measure, or none.
  Trial trial(Exploration& e, const KindState& kind, Placement chosen) const noexcept;

  CostPolicy cost_;
  ExploreConfig params_;
  std::mutex mutex_;
  std::map<std::string, Exploration, std::less<>> kinds_;
};

}  // namespace switchyard
