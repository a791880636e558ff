#include <switchyard/kind_governor.hpp>

#include <algorithm>
#include <new>

namespace switchyard {

KindGovernor::KindGovernor(std::string name, const KindTraits& traits)
    : name_(std::move(name)), traits_(traits), current_(traits.pinned.value_or(traits.start)) {}

std::optional<Placement> KindGovernor::take_trial(std::uint64_t seq) noexcept {
  const std::uint32_t every = trial_every_.load(std::memory_order_relaxed);
  if (every == 0 || seq % every != 0) return std::nullopt;
  std::uint32_t left = trials_left_.load(std::memory_order_relaxed);
  do {
    if (left == 0) return std::nullopt;
  } while (!trials_left_.compare_exchange_weak(left, left - 1, std::memory_order_acquire,
                                               std::memory_order_relaxed));
  return trial_placement_.load(std::memory_order_relaxed);
}

KindState KindGovernor::state(std::uint32_t inflight) const noexcept {
  return {name_,    profile_,           current(),        traits_.pinned,
          inflight, recently_stalled(), traits_.shardable};
}

void KindGovernor::finished(const TaskSample& sample, const Counsel& counsel) noexcept {
  profile_.add(sample, current());
  if (sample.joined.count() > 0) joined_at_ = profile_.count();
  if (traits_.follow_changes) unsettled_.store(profile_.unsettled(), std::memory_order_relaxed);
  counsel.policy.observe(state(counsel.inflight), sample);
  decide(counsel);
}

void KindGovernor::stalled(const Counsel& counsel) noexcept {
  if (!blocked_at_) {
    stall_memory_ = static_cast<std::uint64_t>(KindProfile::kWindow);
  } else if (!remembered()) {
    if (strikes_ >= kStrikes) stall_memory_ = std::min(2 * stall_memory_, kLongestStallMemory);
    strikes_ = 0;
  }
  ++strikes_;
  blocked_at_ = profile_.count();
  counsel.policy.stalled(state(counsel.inflight));
  decide(counsel);
}

void KindGovernor::decide(const Counsel& counsel) noexcept {
  Decision d = counsel.policy.place(state(counsel.inflight), counsel.around);
  set_trial(d.trial);
  const bool to_a_pool = d.placement == Placement::cpu || d.placement == Placement::blocking;
  if (to_a_pool && joins() && !recently_stalled()) {
    d = Decision{Placement::fiber, "joins other tasks"};
  }
  const Placement from = current();
  if (d.placement == from || !allowed(d.placement, counsel.now)) return;
  ++moves_;
  if (history_.size() == kHistoryLimit) history_.erase(history_.begin());
  try {
    history_.push_back(
        {counsel.now, from, d.placement, std::string(d.rule), d.measured, d.threshold});
  } catch (const std::bad_alloc&) {
    // The move matters more than its record.
  }
  current_.store(d.placement, std::memory_order_relaxed);
  profile_.moved();
}

bool KindGovernor::allowed(Placement to, std::chrono::nanoseconds now) noexcept {
  if (traits_.pinned) return false;
  if (to == Placement::shard && !traits_.shardable) return false;  // a callable cannot cross
  // A kind whose stalls speak for it leaves the fibers whatever its budget: every task it
  // runs there holds a worker that the fibers' other tasks need. Its stall memory, not the
  // budget, keeps it from coming back too soon.
  const bool rescue = current() == Placement::fiber && recently_stalled();
  return budget_.spend(now) || rescue;
}

void KindGovernor::set_trial(const Trial& trial) noexcept {
  const bool possible = trial.every != 0 && !traits_.pinned &&
                        (trial.placement != Placement::shard || traits_.shardable);
  if (!possible) {
    trial_every_.store(0, std::memory_order_relaxed);
    return;
  }
  if (trial.round != trial_round_) {
    trial_round_ = trial.round;
    trial_placement_.store(trial.placement, std::memory_order_relaxed);
    // Release: a task that takes from this budget sees its placement.
    trials_left_.store(trial.count, std::memory_order_release);
  }
  trial_every_.store(trial.every, std::memory_order_relaxed);
}

}  // namespace switchyard
