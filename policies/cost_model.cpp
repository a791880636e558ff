#include <switchyard/cost_model.hpp>

#include <algorithm>
#include <limits>

namespace switchyard {

namespace {

// Assumed dispatch costs where calibration has not (yet) measured one, in nanoseconds: on the
// high side of what the probes measure on commodity machines, so an unmeasured executor is
// not preferred for being unmeasured.
constexpr double kAssumedFiberNs = 2'000;
constexpr double kAssumedPoolNs = 30'000;
constexpr double kAssumedShardNs = 60'000;

// A kind waiting for more than this share of its active time would hold a CPU-pool thread,
// one of only as many as there are cores, idle.
constexpr double kMostlyWaiting = 0.5;

double figure(const Figure MachineModel::*member, const MachineModel* machine,
              double assumed) noexcept {
  if (machine == nullptr) return assumed;
  const std::optional<double>& v = (machine->*member).value;
  return v && *v > 0 ? *v : assumed;
}

}  // namespace

ServiceTime ServiceTime::of(const KindProfile& profile) noexcept {
  return {static_cast<double>(profile.mean_cpu().count()),
          static_cast<double>(profile.mean_blocked().count()),
          static_cast<double>(profile.mean_wait().count())};
}

bool CostModel::fits(const KindState& kind, Placement p) const noexcept {
  const KindProfile& profile = kind.profile;
  switch (p) {
    case Placement::fiber:
      return !kind.stalled && profile.active_cpu_share() < rules_.cpu_share &&
             profile.active_blocked_share() < rules_.blocked_share &&
             profile.mean_cpu() + profile.mean_blocked() < stall_threshold_;
    case Placement::cpu:
      return profile.active_wait_share() <= kMostlyWaiting;
    case Placement::blocking:
      return true;
    case Placement::shard:
      return kind.shardable;
  }
  return false;
}

double CostModel::dispatch_ns(Placement p, const MachineModel* machine) noexcept {
  switch (p) {
    case Placement::fiber:
      return 2 * figure(&MachineModel::fiber_switch_ns, machine, kAssumedFiberNs / 2);
    case Placement::cpu:
      return figure(&MachineModel::cpu_pool_handoff_ns, machine, kAssumedPoolNs);
    case Placement::blocking:
      return figure(&MachineModel::blocking_pool_handoff_ns, machine, kAssumedPoolNs);
    case Placement::shard:
      return figure(&MachineModel::process_round_trip_ns, machine, kAssumedShardNs);
  }
  return kAssumedShardNs;
}

PoolSizes CostModel::keep_warm(const LoadView& load, const PoolSizes& now) noexcept {
  return {std::max(load[Placement::blocking].busy, now.blocking_keep / 2)};
}

Costs CostModel::costs(const KindState& kind, const ServiceTimes& service, const LoadView& load,
                       const MachineModel* machine) const noexcept {
  Costs out{};
  const double cores = static_cast<double>(std::max<std::size_t>(1, load[Placement::cpu].workers));
  for (const Placement p : all_placements) {
    if (!fits(kind, p)) continue;
    const ExecutorLoad& e = load[p];
    const std::size_t threads =
        p == Placement::blocking ? std::max(e.workers, blocking_max_) : e.workers;
    if (threads == 0) continue;
    const ServiceTime& s = service[p];
    const double holds = p == Placement::fiber ? s.cpu + s.blocked : s.cpu + s.blocked + s.wait;
    // The kind's own tasks are part of its executor's load already; elsewhere they come in.
    const double others = static_cast<double>(e.busy + e.queued);
    const double mine = static_cast<double>(kind.inflight);
    const double competing =
        std::max(1.0, p == kind.current ? std::max(others, mine) : others + mine);
    const double P = static_cast<double>(threads);
    const double cpu_threads = std::min(P, cores);
    double running;
    if (competing <= P) {
      // A thread each: they share the cores, so they all finish about together.
      running = competing * s.cpu / cpu_threads + (holds - s.cpu);
    } else {
      // Queued for the threads, served in order: on average, after half of those ahead.
      running = (competing + 1) / 2 * (s.cpu / cpu_threads + (holds - s.cpu) / P);
    }
    out[p] =
        dispatch_ns(p, machine) + std::max(holds, running) + (p == Placement::fiber ? s.wait : 0.0);
  }
  return out;
}

Decision choose(const KindState& kind, const Costs& costs, const Decision& preferred,
                double hysteresis) noexcept {
  auto cost_of = [&costs](Placement p) { return costs[p]; };
  Placement best = kind.current;
  double least = std::numeric_limits<double>::infinity();
  for (const Placement p : all_placements) {
    if (cost_of(p) && *cost_of(p) < least) {
      least = *cost_of(p);
      best = p;
    }
  }
  if (!cost_of(best)) return preferred;  // nowhere fits: the table decides alone
  auto close = [&](Placement p) { return cost_of(p) && *cost_of(p) * (1 - hysteresis) <= least; };
  const double current = cost_of(kind.current).value_or(std::numeric_limits<double>::infinity());
  if (close(kind.current)) return {kind.current, "within the cost margin", current, least};
  if (close(preferred.placement)) {
    return {preferred.placement, "decision table, within the cost margin",
            *cost_of(preferred.placement), least};
  }
  return {best, "least expected completion time", least, current};
}

}  // namespace switchyard
