// SyncRegistry: the named synchronization objects a runtime's tasks waited on, for its report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_set>
#include <vector>

#include <switchyard/detail/wait_stats.hpp>
#include <switchyard/report.hpp>

namespace switchyard::detail {

// SyncRegistry keeps a reference to the WaitStats of each named object its runtime's tasks
// waited on, joined on the first such wait. A wait looks at it only when the object last
// joined another runtime's registry, so its lock is off the waits' path. Names are data a
// program may make up (a lock per connection): past kMaxObjects, new objects are only counted.
class SyncRegistry {
 public:
  static constexpr std::size_t kMaxObjects = 4096;

  SyncRegistry() noexcept;
  ~SyncRegistry();
  SyncRegistry(const SyncRegistry&) = delete;
  SyncRegistry& operator=(const SyncRegistry&) = delete;

  // of_current() is the registry of the runtime of the task running on the calling thread;
  // nullptr on a thread that runs none.
  static SyncRegistry* of_current() noexcept;

  // id() tells this registry from every other of the process (never 0).
  std::uint64_t id() const noexcept { return id_; }
  // join() lists `stats` (once), or counts it as unlisted past kMaxObjects.
  void join(WaitStats& stats) noexcept;
  // report() is each listed object's figures, in name order, and the count of those unlisted.
  void report(std::vector<Report::SyncObjectReport>& objects, std::uint64_t& unlisted) const;

 private:
  const std::uint64_t id_;  // unique in the process, never 0
  mutable std::mutex mutex_;
  std::unordered_set<WaitStats*> objects_;  // guarded by mutex_; one reference each
  std::uint64_t unlisted_ = 0;              // guarded by mutex_
};

}  // namespace switchyard::detail
