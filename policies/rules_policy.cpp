#include <switchyard/rules_policy.hpp>

namespace switchyard {

Decision RulesPolicy::decide(const KindState& kind) const noexcept {
  if (kind.pinned) return {*kind.pinned, "pinned"};
  if (kind.stalled) return {Placement::blocking, "stalled a fiber worker"};
  const KindProfile& p = kind.profile;
  // Counted since the averages last restarted: right after a move or a change of phase they
  // hold a task or two, and a kind deciding on those would flap.
  if (p.since_restart() < params_.min_samples) {
    return {kind.current, "too few samples", static_cast<double>(p.since_restart()),
            static_cast<double>(params_.min_samples)};
  }

  // A kind already placed by a rule needs to cross back by the hysteresis margin to leave.
  const double cpu_bar =
      params_.cpu_share - (kind.current == Placement::cpu ? params_.hysteresis : 0.0);
  const double blocked_bar =
      params_.blocked_share - (kind.current == Placement::blocking ? params_.hysteresis : 0.0);

  if (p.active_cpu_share() >= cpu_bar) {
    return {Placement::cpu, "cpu share >= threshold", p.active_cpu_share(), cpu_bar};
  }
  if (p.active_blocked_share() >= blocked_bar) {
    return {Placement::blocking, "blocked share >= threshold", p.active_blocked_share(),
            blocked_bar};
  }
  return {Placement::fiber, "mostly waiting", p.active_wait_share(), 1.0 - cpu_bar};
}

}  // namespace switchyard
