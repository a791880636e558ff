#include "result_json.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "quantile.hpp"

namespace switchyard::bench {

namespace {

using Json = nlohmann::ordered_json;

Json kind_json(const Report::KindReport& k) {
  Json moves = Json::array();
  for (const Report::PlacementChange& c : k.history) {
    moves.push_back({{"at_s", to_s(c.at)},
                     {"from", to_string(c.from)},
                     {"to", to_string(c.to)},
                     {"rule", c.rule},
                     {"measured", c.measured},
                     {"threshold", c.threshold}});
  }
  return {{"placement", to_string(k.placement)},
          {"pinned", k.pinned},
          {"spawned", k.spawned},
          {"finished", k.finished},
          {"failed", k.failed},
          {"measured", k.measured},
          {"active_cpu_share", k.active_cpu_share},
          {"active_blocked_share", k.active_blocked_share},
          {"active_wait_share", k.active_wait_share},
          {"queued_share", k.queued_share},
          {"wall_p50_ms", to_ms(k.wall_p50)},
          {"wall_p99_ms", to_ms(k.wall_p99)},
          {"migrations", k.task_migrations},
          {"stalls", k.stalls},
          {"moves", std::move(moves)}};
}

Json executor_json(const Report::ExecutorReport& e) {
  return {{"workers", e.workers},
          {"max_workers", e.max_workers},
          {"tasks_run", e.tasks_run},
          {"handoffs", e.handoffs}};
}

}  // namespace

Json summary_json(Outcome& outcome) {
  std::sort(outcome.latencies.begin(), outcome.latencies.end());
  Json j;
  j["tasks"] = outcome.tasks;
  j["makespan_s"] = to_s(outcome.makespan());
  j["p50_ms"] = to_ms(nearest_rank(outcome.latencies, 0.50));
  j["p99_ms"] = to_ms(nearest_rank(outcome.latencies, 0.99));
  j["checksum"] = outcome.checksum;
  j["errors"] = outcome.errors.count();
  if (outcome.errors.count() > 0) j["first_error"] = outcome.errors.first();
  return j;
}

Json result_json(std::string_view workload, const BenchOptions& options, Outcome outcome,
                 const Report& report, const Config& config, const ProcessUsage& usage) {
  std::uint64_t migrations = 0;
  for (const Report::KindReport& k : report.kinds) migrations += k.task_migrations;

  Json j;
  j["workload"] = workload;
  j["placement"] = to_string(options.placement);
  j.update(summary_json(outcome));
  j["cpu_s"] = usage.cpu_s;
  j["max_rss_kb"] = usage.max_rss_kb;
  j["vm_hwm_kb"] = usage.vm_hwm_kb;
  j["migrations"] = migrations;
  const Report::MemoryReport& m = report.memory;
  j["memory"] = {{"peak_live_tasks", m.peak_live_tasks},
                 {"peak_started_tasks", m.peak_started_tasks},
                 {"live_tasks", m.live_tasks},
                 {"bytes_per_live_task", m.bytes_per_live_task()}};
  j.update(outcome.extra);
  j["watchdog"] = config.executors.watchdog;
  j["policy"] = report.policy;
  j["config"] = config.source;
  Json kinds = Json::object();
  for (const Report::KindReport& k : report.kinds) kinds[k.name] = kind_json(k);
  j["kinds"] = std::move(kinds);
  Json executors = Json::object();
  for (const Report::ExecutorReport& e : report.executors) {
    executors[std::string(to_string(e.placement))] = executor_json(e);
  }
  j["executors"] = std::move(executors);
  return j;
}

}  // namespace switchyard::bench
