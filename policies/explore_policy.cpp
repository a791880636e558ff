#include <switchyard/explore_policy.hpp>

#include <algorithm>
#include <cmath>
#include <new>

namespace switchyard {

namespace {

// Each executor's measurements weigh the last ~kWindow tasks measured there.
constexpr double kWindow = 8.0;

std::size_t index(Placement p) noexcept {
  return static_cast<std::size_t>(p);
}

}  // namespace

void ExplorePolicy::restart_if_changed(Exploration& e, const KindState& kind) const noexcept {
  const KindProfile& profile = kind.profile;
  const bool new_phase = e.phase != profile.phase_changes();
  e.phase = profile.phase_changes();
  // The shares to drift from are taken once the kind has run a while where the exploration
  // put it, from the same per-task averages they are compared with.
  if (e.done && !e.baseline && profile.since_restart() >= params_.rules.min_samples) {
    e.cpu = profile.active_cpu_share();
    e.blocked = profile.active_blocked_share();
    e.wait = profile.active_wait_share();
    e.baseline = true;
  }
  const bool drifted = e.baseline && std::max({std::abs(profile.active_cpu_share() - e.cpu),
                                               std::abs(profile.active_blocked_share() - e.blocked),
                                               std::abs(profile.active_wait_share() - e.wait)}) >
                                         params_.explore.shift;
  if (!new_phase && !drifted) return;
  e.at = {};
  e.trying.reset();
  e.done = false;
  e.baseline = false;
}

Trial ExplorePolicy::trial(Exploration& e, const KindState& kind, Placement chosen) const noexcept {
  if (e.done || params_.explore.share <= 0) return {};
  const auto every = std::max<std::uint32_t>(
      1, static_cast<std::uint32_t>(std::lround(1.0 / params_.explore.share)));
  const std::uint64_t now = kind.profile.count();
  bool chosen_unmeasured = false;
  for (const Placement p : all_placements) {
    if (!model_.fits(kind, p) || e.at[index(p)].count >= kTrialTasks) continue;
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
  const Decision table = rules_.place(kind, around);
  if (kind.pinned || kind.profile.since_restart() < params_.rules.min_samples) return table;
  std::array<ServiceTime, all_placements.size()> service;
  service.fill(ServiceTime::of(kind.profile));
  const LoadView load = around.load();
  std::lock_guard lk(mutex_);
  Exploration* e = nullptr;
  try {
    e = &kinds_.try_emplace(std::string(kind.name)).first->second;
  } catch (const std::bad_alloc&) {
    // Without room to remember, it decides on the current executor's measurements alone.
    return choose(kind, model_.costs(kind, service, load, around.machine()), table,
                  params_.rules.hysteresis);
  }
  restart_if_changed(*e, kind);
  for (const Placement p : all_placements) {
    if (e->at[index(p)].count >= kTrialTasks) service[index(p)] = e->at[index(p)].service;
  }
  Decision d = choose(kind, model_.costs(kind, service, load, around.machine()), table,
                      params_.rules.hysteresis);
  d.trial = trial(*e, kind, d.placement);
  return d;
}

void ExplorePolicy::observe(const KindState& kind, const TaskSample& sample) noexcept {
  std::lock_guard lk(mutex_);
  const auto found = kinds_.find(kind.name);
  if (found == kinds_.end()) return;  // not explored yet: the profile speaks for it
  Measured& m = found->second.at[index(sample.placement)];
  ++m.count;
  const double weight = std::max(1.0 / static_cast<double>(m.count), 1.0 / kWindow);
  auto fold = [weight](double& avg, std::chrono::nanoseconds v) {
    avg += weight * (static_cast<double>(v.count()) - avg);
  };
  fold(m.service.cpu, sample.cpu);
  fold(m.service.blocked, sample.blocked);
  fold(m.service.wait, sample.wait);
}

}  // namespace switchyard
