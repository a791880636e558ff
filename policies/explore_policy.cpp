#include <switchyard/explore_policy.hpp>

#include <algorithm>
#include <cmath>
#include <new>

namespace switchyard {

void ExplorePolicy::restart_if_changed(Exploration& e, const KindState& kind) const noexcept {
  const KindProfile& profile = kind.profile;
  const bool new_phase = e.phase != profile.phase_changes();
  e.phase = profile.phase_changes();
  // The shares to drift from are taken once the kind has run a while where the exploration
  // put it, from the same per-task averages they are compared with; and taken again after it
  // moves, since they describe what it did on one executor (a kind held up by a lock in
  // threads is blocked there, and computes in a shard: the move is no drift).
  if (e.baseline_at != kind.current) e.baseline_at.reset();
  if (e.done && !e.baseline_at && cost_.decides(kind)) {
    e.cpu = profile.active_cpu_share();
    e.blocked = profile.active_blocked_share();
    e.wait = profile.active_wait_share();
    e.baseline_at = kind.current;
  }
  const bool drifted =
      e.baseline_at && std::max({std::abs(profile.active_cpu_share() - e.cpu),
                                 std::abs(profile.active_blocked_share() - e.blocked),
                                 std::abs(profile.active_wait_share() - e.wait)}) > params_.shift;
  if (!new_phase && !drifted) return;
  e.at = {};
  e.trying.reset();
  e.done = false;
  e.baseline_at.reset();
}

Trial ExplorePolicy::trial(Exploration& e, const KindState& kind, Placement chosen) const noexcept {
  if (e.done || params_.share <= 0) return {};
  const auto every =
      std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(1.0 / params_.share)));
  const std::uint64_t now = kind.profile.count();
  bool chosen_unmeasured = false;
  for (const Placement p : all_placements) {
    if (!cost_.model().fits(kind, p) || e.at[p].count() >= kTrialTasks) continue;
    if (p == chosen) {
      chosen_unmeasured = true;  // its own tasks measure it
      continue;
    }
    // A new round for a new executor, or when the last budget was spent and some of its
    // trials never reported (cancelled, refused): each round's budget is given once.
    if (e.trying != p || now - e.round_began > 2 * std::uint64_t{kTrialTasks} * every) {
      e.trying = p;
      ++e.round;
      e.round_began = now;
    }
    return {p, every, kTrialTasks, e.round};
  }
  if (!chosen_unmeasured) e.done = true;
  return {};
}

Decision ExplorePolicy::place(const KindState& kind, const Surroundings& around) noexcept {
  if (!cost_.decides(kind)) return cost_.place(kind, around);
  ServiceTimes service;
  service.fill(ServiceTime::of(kind.profile));
  const LoadView load = around.load();
  std::lock_guard lk(mutex_);
  Exploration* e = nullptr;
  try {
    e = &kinds_.try_emplace(std::string(kind.name)).first->second;
  } catch (const std::bad_alloc&) {
    // Without room to remember, it decides on the current executor's measurements alone.
    return cost_.decide(kind, service, load, around.machine());
  }
  restart_if_changed(*e, kind);
  // Where the kind runs, its own profile speaks for it: the same recent tasks whichever
  // executor it is compared with.
  for (const Placement p : all_placements) {
    if (p != kind.current && e->at[p].count() >= kTrialTasks) {
      service[p] = ServiceTime::of(e->at[p]);
    }
  }
  Decision d = cost_.decide(kind, service, load, around.machine());
  d.trial = trial(*e, kind, d.placement);
  return d;
}

void ExplorePolicy::observe(const KindState& kind, const TaskSample& sample) noexcept {
  std::lock_guard lk(mutex_);
  const auto found = kinds_.find(kind.name);
  if (found == kinds_.end()) return;  // not explored yet: the profile speaks for it
  found->second.at[sample.placement].add(sample);
}

}  // namespace switchyard
