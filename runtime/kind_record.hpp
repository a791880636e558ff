// KindRecord: the runtime's live state for one task kind.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <switchyard/kind_profile.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/report.hpp>

namespace switchyard::detail {

// KindRecord is shared by every task of one kind. The atomics are read on the spawn path
// without a lock; `mutex` guards the profile and the placement history, which change when a
// measured task finishes. Lives as long as its runtime (its address is stable).
struct KindRecord {
  // An internal kind is the runtime's own probing tasks: never measured (their cost is what
  // they measure), and left out of reports and shutdown summaries.
  KindRecord(std::string kind_name, std::optional<Placement> pin, bool is_internal = false)
      : name(std::move(kind_name)),
        pinned(pin),
        internal(is_internal),
        current(pin.value_or(Placement::fiber)) {}

  const std::string name;
  const std::optional<Placement> pinned;
  const bool internal;
  std::atomic<Placement> current;  // where its new tasks go
  std::atomic<std::uint32_t> inflight{0};
  std::atomic<std::uint64_t> spawned{0};
  std::atomic<std::uint64_t> finished{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> task_migrations{0};
  std::atomic<std::uint64_t> stalls{0};

  std::mutex mutex;
  KindProfile profile;
  // The profile's count when the watchdog last caught the kind blocking a fiber worker. The
  // stall speaks for the kind until a window of tasks measured since then can speak instead.
  std::optional<std::uint64_t> blocked_at;

  bool recently_stalled() const noexcept {
    return blocked_at && profile.count() - *blocked_at < KindProfile::kWindow;
  }
  std::vector<Report::PlacementChange> history;
};

}  // namespace switchyard::detail
