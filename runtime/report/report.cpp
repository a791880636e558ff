#include <switchyard/report.hpp>
#include <switchyard/report_text.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <ostream>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <fmt/ostream.h>

namespace switchyard {

namespace {

std::string pct(double share) {
  return fmt::format("{:.0f}%", share * 100.0);
}

// counters_line() is a kind's counter means and derived figures, or empty when none.
std::string counters_line(const Report::KindReport& k) {
  std::string line;
  for (const auto& [event, per_task] : k.counters_per_task) {
    line += fmt::format("{} {:.4g}  ", event, per_task);
  }
  if (k.ipc) line += fmt::format("IPC {:.2f}  ", *k.ipc);
  if (k.cache_misses_per_kilo_instruction) {
    line += fmt::format("misses/1k instr {:.2f}  ", *k.cache_misses_per_kilo_instruction);
  }
  if (k.context_switches_per_task) {
    line += fmt::format("switches/task {:.2f}", *k.context_switches_per_task);
  }
  return line;
}

// wait_split_line() is a kind's waiting split by cause: the causes that round to 1% or more,
// largest first; empty when its tasks did not wait.
std::string wait_split_line(const Report::KindReport::WaitSplit& w) {
  std::array<std::pair<std::string_view, double>, kWaitCauses + 1> parts;
  std::size_t n = 0;
  Report::KindReport::WaitSplit::for_each(
      w, [&](std::string_view cause, double share) { parts[n++] = {cause, share}; });
  std::stable_sort(parts.begin(), parts.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string line;
  for (const auto& [cause, share] : parts) {
    if (share < 0.005) continue;
    if (!line.empty()) line += "  ";
    line += fmt::format("{} {}", cause, pct(share));
  }
  return line;
}

}  // namespace

void Report::print(std::ostream& out) const {
  fmt::print(out, "policy: {}   uptime: {} s\n", policy,
             fmt::format("{:.2f}", static_cast<double>(uptime.count()) / 1e9));
  fmt::print(out, "machine: {}, {} cores, {} hardware threads ({})\n", machine.cpu_model,
             machine.cores, machine.hardware_threads, machine.topology_source);
  // cpu, block and wait are shares of active time (what the task does); queued is a share
  // of wall time (how long it waited for a thread). migrated counts running tasks that changed
  // executor; stalls, the times the watchdog caught one holding a fiber worker.
  fmt::print(out, "{:<16} {:<9} {:>8} {:>5} {:>5} {:>5} {:>7} {:>9} {:>9} {:>8} {:>6}\n", "kind",
             "placement", "tasks", "cpu", "block", "wait", "queued", "p50", "p99", "migrated",
             "stalls");
  for (const KindReport& k : kinds) {
    fmt::print(out, "{:<16} {:<9} {:>8} {:>5} {:>5} {:>5} {:>7} {:>9} {:>9} {:>8} {:>6}\n", k.name,
               fmt::format("{}{}", to_string(k.placement), k.pinned ? "*" : ""), k.finished,
               pct(k.active_cpu_share), pct(k.active_blocked_share), pct(k.active_wait_share),
               pct(k.queued_share), duration_text(k.wall_p50), duration_text(k.wall_p99),
               k.task_migrations, k.stalls);
    if (const std::string line = counters_line(k); !line.empty()) {
      fmt::print(out, "    per counted task ({} of them): {}\n", k.counted, line);
    }
    if (const std::string line = wait_split_line(k.wait_split); !line.empty()) {
      fmt::print(out, "    waiting on: {}\n", line);
    }
    for (const PlacementChange& c : k.history) fmt::print(out, "    {}\n", to_string(c));
  }
  if (!sync_objects.empty() || sync_objects_unlisted > 0) {
    fmt::print(out, "{:<24} {:<17} {:>8} {:>9} {:>9} {:>7}\n", "sync object", "type", "waits",
               "waited", "mean", "longest");
  }
  for (const SyncObjectReport& o : sync_objects) {
    const double mean =
        o.waits == 0 ? 0.0
                     : static_cast<double>(o.wait_time.count()) / static_cast<double>(o.waits);
    fmt::print(out, "{:<24} {:<17} {:>8} {:>9} {:>9} {:>7}\n", o.name, o.type, o.waits,
               duration_text(o.wait_time), duration_text(mean), o.longest_queue);
  }
  if (sync_objects_unlisted > 0) {
    fmt::print(out, "  {} more named objects, past the most a report lists\n",
               sync_objects_unlisted);
  }
  for (const ExecutorReport& e : executors) {
    if (e.placement == Placement::shard) {
      fmt::print(out, "executor {:<9} shards  {:>3} (of  {:>3})  calls  {}  restarts {}\n",
                 to_string(e.placement), e.workers, e.max_workers, e.tasks_run, e.restarts);
    } else {
      fmt::print(out, "executor {:<9} workers {:>3} (max {:>3})  slices {}\n",
                 to_string(e.placement), e.workers, e.max_workers, e.tasks_run);
    }
  }
  fmt::print(out,
             "memory: {} live tasks (peak {}), {} started (peak {}), {:.0f} bytes per live task "
             "({} records, {} resident stack pages)\n",
             memory.live_tasks, memory.peak_live_tasks, memory.started_tasks,
             memory.peak_started_tasks, memory.bytes_per_live_task(),
             bytes_text(memory.record_bytes), bytes_text(memory.stack_resident_bytes));
  fmt::print(out, "counters: {}; fallback chain: {}\n", counters.papi, counters.mode);
  for (const PlannedEvent& e : counters.events) {
    fmt::print(out, "  {:<24} {}\n", e.requested,
               e.live ? fmt::format("live ({})", e.counted_by) : "missing: " + e.reason);
  }
  for (const std::string& note : counters.notes) fmt::print(out, "  note: {}\n", note);
}

std::string to_string(const Report::PlacementChange& move) {
  const std::string figures = move.has_figures()
                                  ? fmt::format(": {:.2f} vs {:.2f}", move.measured, move.threshold)
                                  : std::string();
  return fmt::format("at {:.3f} s: {} -> {} ({}{})", std::chrono::duration<double>(move.at).count(),
                     to_string(move.from), to_string(move.to), move.rule, figures);
}

void Report::save(const std::filesystem::path& path) const {
  std::ofstream file(path, std::ios::trunc);
  if (file) {
    if (path.extension() == ".json") {
      file << to_json() << '\n';
    } else {
      print(file);
    }
    file.close();
  }
  if (!file) {
    throw std::runtime_error("switchyard: cannot write the report to " + path.string() + ": " +
                             std::strerror(errno));
  }
}

}  // namespace switchyard
