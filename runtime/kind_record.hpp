// KindRecord: the runtime's live state for one task kind.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <switchyard/config.hpp>
#include <switchyard/kind_profile.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/policy.hpp>
#include <switchyard/report.hpp>

namespace switchyard::detail {

// KindRecord is shared by every task of one kind. The atomics are read on the spawn path
// without a lock; `mutex` guards the profile and the placement history, which change when a
// measured task finishes. Lives as long as its runtime (its address is stable).
struct KindRecord {
  // An internal kind is the runtime's own probing tasks: never measured (their cost is what
  // they measure), and left out of reports and shutdown summaries. An isolated kind is
  // pinned to the shards.
  KindRecord(std::string kind_name, const KindConfig& settings, bool is_shardable,
             bool is_internal = false)
      : name(std::move(kind_name)),
        pinned(settings.isolate ? Placement::shard : settings.placement),
        internal(is_internal),
        shardable(is_shardable),
        isolated(settings.isolate),
        idempotent(settings.idempotent),
        current(pinned.value_or(Placement::fiber)) {}

  const std::string name;
  const std::optional<Placement> pinned;
  const bool internal;
  const bool shardable;            // a task registered when the runtime started: shards can run it
  const bool isolated;             // runs only in shards
  const bool idempotent;           // a call lost with its shard may run again
  std::atomic<Placement> current;  // where its new tasks go
  // The policy's trial (Trial): one new task in trial_every goes to trial_placement while
  // trials_left lasts. trial_round, under `mutex`, is the round the budget was given for.
  std::atomic<std::uint32_t> trial_every{0};
  std::atomic<std::uint32_t> trials_left{0};
  std::atomic<Placement> trial_placement{Placement::fiber};
  std::uint32_t trial_round = 0;
  // first_seen_ns: when its first task was spawned, since the runtime started; set before the
  // record is shared.
  std::int64_t first_seen_ns = 0;
  std::atomic<std::uint32_t> inflight{0};
  // body_bytes: the size of its latest task's body (TaskBody::bytes()), for the memory report;
  // written only when it changes, so the kind's tasks do not contend for its cache line.
  std::atomic<std::uint32_t> body_bytes{0};
  // unsettled: the profile's unsettled(), as of its last sample: every task is measured then.
  std::atomic<bool> unsettled{false};
  std::atomic<std::uint64_t> spawned{0};
  std::atomic<std::uint64_t> finished{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> task_migrations{0};
  std::atomic<std::uint64_t> stalls{0};

  std::mutex mutex;
  KindProfile profile;
  // The profile's count when the watchdog last caught the kind blocking a fiber worker. The
  // stalls speak for the kind once it was caught twice (one stall can be a lock holder that
  // the OS preempted, or the kernel's doing), until `stall_memory` tasks measured since the
  // last one can speak instead: a window of them at first, twice as many each time the kind
  // stalls again after its last stalls had stopped speaking, so a kind that blocks now and
  // then does not go back to the fibers to stall them every window.
  std::optional<std::uint64_t> blocked_at;
  std::uint64_t stall_memory = 0;
  std::uint32_t strikes = 0;  // stalls since the last ones stopped speaking
  static constexpr std::uint32_t kStrikes = 2;

  // mark_stalled() records a stall now. Caller holds `mutex`.
  void mark_stalled() noexcept {
    constexpr std::uint64_t kLongest = std::uint64_t{1} << 20;
    if (!blocked_at) {
      stall_memory = static_cast<std::uint64_t>(KindProfile::kWindow);
    } else if (!remembered()) {
      if (strikes >= kStrikes) stall_memory = std::min(2 * stall_memory, kLongest);
      strikes = 0;
    }
    ++strikes;
    blocked_at = profile.count();
  }
  // recently_stalled() says whether the stalls speak for the kind. Caller holds `mutex`.
  bool recently_stalled() const noexcept { return strikes >= kStrikes && remembered(); }
  bool remembered() const noexcept {
    return blocked_at && profile.count() - *blocked_at < stall_memory;
  }
  std::vector<Report::PlacementChange> history;

  // set_trial() takes on the policy's Trial: a new budget of trial.count tasks when its round is
  // new, none when it asks for none or for what the kind cannot do (a callable cannot cross
  // into a shard; a kind pinned by config never leaves its executor). Caller holds `mutex`.
  void set_trial(const Trial& trial) noexcept {
    const bool possible =
        trial.every != 0 && !pinned && (trial.placement != Placement::shard || shardable);
    if (!possible) {
      trial_every.store(0, std::memory_order_relaxed);
      return;
    }
    if (trial.round != trial_round) {
      trial_round = trial.round;
      trial_placement.store(trial.placement, std::memory_order_relaxed);
      // Release: a task that takes from this budget sees its placement.
      trials_left.store(trial.count, std::memory_order_release);
    }
    trial_every.store(trial.every, std::memory_order_relaxed);
  }
  // take_trial() says where the new task number `seq` goes instead of `current`, if it is a
  // trial. Lock-free; any thread.
  std::optional<Placement> take_trial(std::uint64_t seq) noexcept {
    const std::uint32_t every = trial_every.load(std::memory_order_relaxed);
    if (every == 0 || seq % every != 0) return std::nullopt;
    std::uint32_t left = trials_left.load(std::memory_order_relaxed);
    do {
      if (left == 0) return std::nullopt;
    } while (!trials_left.compare_exchange_weak(left, left - 1, std::memory_order_acquire,
                                                std::memory_order_relaxed));
    return trial_placement.load(std::memory_order_relaxed);
  }
};

}  // namespace switchyard::detail
