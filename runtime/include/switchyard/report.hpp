// Report: what ran where, and why.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <switchyard/counters.hpp>
#include <switchyard/latency_histogram.hpp>
#include <switchyard/machine_model.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/placement_change.hpp>
#include <switchyard/topology_summary.hpp>
#include <switchyard/wait_cause.hpp>

namespace switchyard {

// ReportFormatError: a text that Report::from_json() cannot read, with the field at fault.
class ReportFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Report is a snapshot of a runtime's kinds and executors, taken by Runtime::report(). As
// JSON, it follows the schema in docs/report.md, version kSchemaVersion.
struct Report {
  static constexpr std::string_view kSchema = "switchyard.report";
  static constexpr std::uint32_t kSchemaVersion = 3;
  // from_json() refuses a text longer than kMaxJsonBytes or nested deeper than kMaxJsonDepth:
  // a report of the most kinds a runtime keeps (4,096) is a few tens of MiB, and 8 levels deep.
  static constexpr std::size_t kMaxJsonBytes = std::size_t{256} << 20;
  static constexpr int kMaxJsonDepth = 32;

  // PlacementChange records one move of a kind's new tasks to another executor.
  using PlacementChange = switchyard::PlacementChange;
  // KindReport is one task kind.
  struct KindReport {
    std::string name;
    Placement placement = Placement::fiber;  // where its new tasks go now
    bool pinned = false;
    std::chrono::nanoseconds first_seen{0};  // its first task's spawn, since the runtime started
    std::uint64_t spawned = 0;
    std::uint64_t finished = 0;
    std::uint64_t failed = 0;
    std::uint64_t measured = 0;  // tasks whose times were sampled
    // Shares of wall time, and of active time (wall less queued), over every task of the kind.
    double cpu_share = 0, blocked_share = 0, wait_share = 0, join_share = 0, queued_share = 0;
    double active_cpu_share = 0, active_blocked_share = 0, active_wait_share = 0;
    // WaitSplit is how its tasks' time waiting (the wait and join shares together) splits by
    // what they waited for, as shares of that time: 0 throughout when none waited, else adding
    // up to 1. by_cause has one share per WaitCause (wait_cause.hpp says what each covers);
    // future is the share spent waiting for other tasks (Future waits, TaskGroup::wait,
    // when_any: the join share), which no WaitCause names.
    struct WaitSplit {
      std::array<double, kWaitCauses> by_cause{};  // indexed by WaitCause
      double future = 0;

      // of() is `cause`'s share.
      double of(WaitCause cause) const noexcept {
        return by_cause[static_cast<std::size_t>(cause)];
      }
      // for_each() calls fn(name, share) for each share of `split` (a WaitSplit, const or
      // not), named and ordered as the report writes them: the causes in WaitCause order, with
      // future after timer.
      template <class Split, class Fn>
      static void for_each(Split& split, Fn&& fn) {
        for (std::size_t i = 0; i < kWaitCauses; ++i) {
          fn(to_string(static_cast<WaitCause>(i)), split.by_cause[i]);
          if (static_cast<WaitCause>(i) == WaitCause::timer) {
            fn(std::string_view("future"), split.future);
          }
        }
      }
    };
    WaitSplit wait_split;
    std::chrono::nanoseconds wall_p50{0}, wall_p99{0}, mean_wall{0}, mean_cpu{0};
    std::vector<LatencyHistogram::Bucket> wall_histogram;  // every measured task's wall time
    std::uint64_t task_migrations = 0;                     // running tasks that changed executor
    std::uint64_t stalls = 0;  // times one of its tasks held a fiber worker too long
    std::vector<PlacementChange> history;
    // The tasks that read the counters (`counted`): each live event's mean per task, named as
    // requested, and the figures derived from them where the events allow.
    std::uint64_t counted = 0;
    std::vector<std::pair<std::string, double>> counters_per_task;
    std::optional<double> ipc;
    std::optional<double> cache_misses_per_kilo_instruction;
    std::optional<double> context_switches_per_task;
  };
  // CounterReport is what became of the counters the runtime tried at start-up.
  struct CounterReport {
    std::string papi;                  // "PAPI 7.0.0.0", or why PAPI is not used
    std::string mode;                  // where the fallback chain started, and who chose it
    std::vector<PlannedEvent> events;  // each: live or not, what counts it, and why
    std::vector<std::string> notes;    // machine-wide reasons (a VM without a PMU, ...)
  };
  // ExecutorReport is one executor. For the shards, workers are the shard processes serving
  // now and tasks_run the calls they answered.
  struct ExecutorReport {
    Placement placement = Placement::fiber;
    std::size_t workers = 0;
    std::size_t max_workers = 0;
    std::uint64_t tasks_run = 0;  // task slices started on it
    std::uint64_t handoffs = 0;   // fiber executor: workers' queues and reactors handed on
    std::uint64_t restarts = 0;   // shards: processes started again after one ended
  };
  // FileLimit is the open-file limit (RLIMIT_NOFILE) before and after the runtime raised its
  // soft limit to the hard limit at start-up.
  struct FileLimit {
    std::uint64_t before = 0;
    std::uint64_t now = 0;
  };

  // MemoryReport is what the runtime's tasks hold. A task spawned and not yet started holds
  // its record (the runtime's Task and its body: the future's state and the callable's
  // captures); one started holds a fiber stack too, of which only the touched pages are
  // resident. Peaks are since the runtime started.
  struct MemoryReport {
    std::uint64_t live_tasks = 0;  // spawned, not finished
    std::uint64_t peak_live_tasks = 0;
    std::uint64_t started_tasks = 0;  // holding a fiber stack
    std::uint64_t peak_started_tasks = 0;
    std::uint64_t record_bytes = 0;          // the live tasks' records (estimated per kind)
    std::uint64_t stack_resident_bytes = 0;  // resident pages of the stacks held
    std::uint64_t stack_bytes = 0;           // one stack's size, reserved per started task
    // bytes_per_live_task() is (record_bytes + stack_resident_bytes) / live_tasks; 0 if none.
    double bytes_per_live_task() const noexcept {
      return live_tasks == 0 ? 0.0
                             : static_cast<double>(record_bytes + stack_resident_bytes) /
                                   static_cast<double>(live_tasks);
    }
  };

  // SyncObjectReport is one named synchronization object that the runtime's tasks waited on:
  // its waits by tasks and threads alike, of any runtime, since it was named.
  struct SyncObjectReport {
    std::string name;
    std::string type;  // "Mutex", "SharedMutex", "ConditionVariable", "Semaphore", "Latch",
                       // "Event", "Channel"
    std::uint64_t waits = 0;
    std::chrono::nanoseconds wait_time{0};  // over all its waits
    std::uint64_t longest_queue = 0;        // the most waits under way at once
  };

  // MachineReport is the topology the runtime started with, as switchyard-probe reports it.
  using MachineReport = TopologySummary;

  std::string policy;
  std::chrono::nanoseconds uptime{0};
  MachineReport machine;
  std::vector<KindReport> kinds;
  std::vector<ExecutorReport> executors;
  // sync_objects: the named objects, in name order; sync_objects_unlisted counts those past
  // the most a runtime lists (4,096).
  std::vector<SyncObjectReport> sync_objects;
  std::uint64_t sync_objects_unlisted = 0;
  // CalibrationReport is the MachineModel the policy reads, once calibration has finished.
  struct CalibrationReport {
    std::string state;  // "off", "running", "failed: why", or how the cache served
    std::optional<MachineModel> model;
  };

  FileLimit open_files;
  MemoryReport memory;
  CounterReport counters;
  CalibrationReport calibration;

  // print() writes the report as a readable table.
  void print(std::ostream& out) const;
  // to_json() is the report as JSON (docs/report.md). Throws std::bad_alloc.
  std::string to_json() const;
  // from_json() reads what to_json() wrote. Throws ReportFormatError naming the field at fault
  // ("kinds[2].wall_ns.p50: expected a number, found a string") for a text that is not JSON,
  // not a report, or a report of another schema version.
  static Report from_json(std::string_view text);
  // save() writes the report to `path`: as JSON when its extension is .json, else the table.
  // Blocks on file I/O. Throws std::runtime_error naming the path and the reason.
  void save(const std::filesystem::path& path) const;
};

// to_string() writes a move as the report's table does: "at 0.052 s: fiber -> cpu (cpu share
// >= threshold: 1.00 vs 0.60)". Throws std::bad_alloc.
std::string to_string(const Report::PlacementChange& move);

}  // namespace switchyard
