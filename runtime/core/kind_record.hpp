// KindRecord: the runtime's live state for one task kind.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include <switchyard/config.hpp>
#include <switchyard/kind_governor.hpp>

namespace switchyard::detail {

// KindRecord is shared by every task of one kind. Its counters and the governor's lock-free
// members (where new tasks go, trials, whether to measure) are read on the spawn path
// without a lock; `mutex` guards the rest of the governor, which decides when a measured
// task finishes or the watchdog reports a stall. Lives as long as its runtime (its address
// is stable).
struct KindRecord {
  // An internal kind is the runtime's own probing tasks: never measured (their cost is what
  // they measure), and left out of reports and shutdown summaries. An isolated kind is
  // pinned to the shards. `follow_changes` is profiling.follow_changes.
  KindRecord(std::string kind_name, const KindConfig& settings, bool is_shardable,
             bool follow_changes, bool is_internal = false)
      : name(kind_name),
        internal(is_internal),
        isolated(settings.isolate),
        idempotent(settings.idempotent),
        governor(std::move(kind_name),
                 KindTraits{settings.isolate ? Placement::shard : settings.placement, is_shardable,
                            follow_changes, Placement::fiber}) {}

  const std::string name;
  const bool internal;
  const bool isolated;    // runs only in shards
  const bool idempotent;  // a call lost with its shard may run again
  // first_seen_ns: when its first task was spawned, since the runtime started; set before the
  // record is shared.
  std::int64_t first_seen_ns = 0;
  std::atomic<std::uint32_t> inflight{0};
  // body_bytes: the size of its latest task's body (TaskBody::bytes()), for the memory report;
  // written only when it changes, so the kind's tasks do not contend for its cache line.
  std::atomic<std::uint32_t> body_bytes{0};
  std::atomic<std::uint64_t> spawned{0};
  std::atomic<std::uint64_t> finished{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> task_migrations{0};
  std::atomic<std::uint64_t> stalls{0};

  std::mutex mutex;
  KindGovernor governor;  // guarded by `mutex`, but for its lock-free members
};

}  // namespace switchyard::detail
