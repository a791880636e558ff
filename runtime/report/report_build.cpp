// RuntimeCore's report: what every kind, executor and counter did so far.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <string>

#include <switchyard/report.hpp>

#include "core/clock.hpp"
#include "core/logger.hpp"
#include "core/runtime_core.hpp"

namespace switchyard::detail {

namespace {

// wait_split() is how a kind's time waiting splits by cause.
Report::KindReport::WaitSplit wait_split(const KindProfile::Totals& t) noexcept {
  const double waited = static_cast<double>((t.wait + t.joined).count());
  if (waited <= 0) return {};
  auto share = [waited](std::chrono::nanoseconds part) {
    return static_cast<double>(part.count()) / waited;
  };
  Report::KindReport::WaitSplit split;
  for (std::size_t i = 0; i < kWaitCauses; ++i) split.by_cause[i] = share(t.waits[i]);
  split.future = share(t.joined);
  return split;
}

}  // namespace

std::optional<Report> RuntimeCore::final_report() const noexcept {
  if (config_.profiling.report.empty() && !trace_) return std::nullopt;
  try {
    return report();
  } catch (const std::exception& e) {
    log(LogLevel::warning, "shutdown_write_failed", {},
        "switchyard: no report or trace written at shutdown: {}", e.what());
    return std::nullopt;
  }
}

Report RuntimeCore::report() const {
  Report r;
  r.policy = std::string(policy_->name());
  r.uptime = std::chrono::nanoseconds{since_start(steady_ns())};
  r.machine = TopologySummary::of(topology_);
  kinds_.for_each([&](KindRecord& k) {
    Report::KindReport kr;
    kr.name = k.name;
    kr.placement = k.governor.current();
    kr.pinned = k.governor.traits().pinned.has_value();
    kr.first_seen = std::chrono::nanoseconds{k.first_seen_ns};
    kr.spawned = k.spawned.load();
    kr.finished = k.finished.load();
    kr.failed = k.failed.load();
    kr.task_migrations = k.task_migrations.load();
    kr.stalls = k.stalls.load();
    std::lock_guard lk(k.mutex);
    const KindProfile& p = k.governor.profile();
    kr.measured = p.count();
    kr.cpu_share = p.cpu_share();
    kr.blocked_share = p.blocked_share();
    kr.wait_share = p.wait_share();
    kr.join_share = p.join_share();
    kr.queued_share = p.queued_share();
    // Over every task, as the shares above: the profile's own active shares are its recent
    // tasks' on the kind's current executor, for its policy.
    const KindProfile::Totals& t = p.totals();
    kr.active_cpu_share = t.of_active(t.cpu);
    kr.active_blocked_share = t.of_active(t.blocked);
    kr.active_wait_share = t.of_active(t.wait);
    kr.wait_split = wait_split(t);
    kr.wall_p50 = p.wall_quantile(0.5);
    kr.wall_p99 = p.wall_quantile(0.99);
    kr.mean_wall = p.mean_wall();
    kr.mean_cpu = p.mean_cpu();
    kr.wall_histogram = p.wall_histogram().buckets();
    kr.history = k.governor.history();
    kr.counted = p.counted();
    const CounterSample& totals = p.counter_totals();
    if (kr.counted > 0 && totals.has(CounterSample::kEvents)) {
      for (const PlannedEvent& e : counter_plan_.events()) {
        if (!e.live || e.slot >= totals.event_count) continue;
        kr.counters_per_task.emplace_back(e.requested, static_cast<double>(totals.events[e.slot]) /
                                                           static_cast<double>(kr.counted));
      }
    }
    kr.ipc = ipc(totals);
    kr.cache_misses_per_kilo_instruction = cache_misses_per_kilo_instruction(totals);
    kr.context_switches_per_task = context_switches_per_task(totals, kr.counted);
    r.kinds.push_back(std::move(kr));
  });
  for (const auto& e : executors_) {
    const ExecutorLoad l = e->load();
    r.executors.push_back(
        {e->placement(), l.workers, e->max_workers(), e->slices(), e->handoffs(), 0});
  }
  if (shards_) {
    const ShardPool::Load l = shards_->load();
    r.executors.push_back({Placement::shard, l.live, l.slots, l.answered, 0, l.restarts});
  }
  sync_objects_.report(r.sync_objects, r.sync_objects_unlisted);
  r.open_files = open_files_;
  const StackPool::Usage stacks = stacks_.usage();
  r.memory.live_tasks = static_cast<std::uint64_t>(std::max<std::int64_t>(0, live_.load()));
  r.memory.peak_live_tasks = static_cast<std::uint64_t>(peak_live_.load());
  r.memory.started_tasks = stacks.in_use;
  r.memory.peak_started_tasks = stacks.peak_in_use;
  r.memory.stack_resident_bytes = stacks.resident_bytes;
  r.memory.stack_bytes = stacks_.stack_bytes();
  kinds_.for_each([&](KindRecord& k) {
    r.memory.record_bytes += std::uint64_t{k.inflight.load(std::memory_order_relaxed)} *
                             (sizeof(Task) + k.body_bytes.load(std::memory_order_relaxed));
  });
  {
    std::lock_guard lk(calibration_mutex_);
    if (calibration_) {
      r.calibration = {std::string(to_string(calibration_->cache)), calibration_->model};
    } else if (!calibration_failure_.empty()) {
      r.calibration.state = "failed: " + calibration_failure_;
    } else {
      r.calibration.state = config_.profiling.calibrate ? "running" : "off";
    }
  }
  r.counters = {counter_plan_.papi(),
                std::string(to_string(counter_plan_.mode())) + ", " + counter_plan_.mode_origin(),
                counter_plan_.events(), counter_plan_.notes()};
  return r;
}
}  // namespace switchyard::detail
