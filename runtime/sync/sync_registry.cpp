#include "sync/sync_registry.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <new>

#include <boost/fiber/context.hpp>

#include "core/runtime_core.hpp"
#include "exec/worker.hpp"
#include "task/task.hpp"

namespace switchyard::detail {

namespace {
std::atomic<std::uint64_t> next_registry_id{1};
}  // namespace

SyncRegistry::SyncRegistry() noexcept
    : id_(next_registry_id.fetch_add(1, std::memory_order_relaxed)) {}

SyncRegistry::~SyncRegistry() {
  for (WaitStats* s : objects_) s->release();
}

SyncRegistry* SyncRegistry::of_current() noexcept {
  Task* task = Task::current();
  return task != nullptr ? &task->runtime.sync_objects() : nullptr;
}

void SyncRegistry::join(WaitStats& stats) noexcept {
  std::lock_guard lk(mutex_);
  // Marked first: an object that cannot be listed is counted once, not at every wait.
  stats.registry.store(id_, std::memory_order_relaxed);
  if (objects_.size() >= kMaxObjects) {
    if (objects_.count(&stats) == 0) ++unlisted_;
    return;
  }
  try {
    if (objects_.insert(&stats).second) stats.add_ref();
  } catch (const std::bad_alloc&) {
    ++unlisted_;
  }
}

void SyncRegistry::report(std::vector<Report::SyncObjectReport>& objects,
                          std::uint64_t& unlisted) const {
  {
    std::lock_guard lk(mutex_);
    unlisted = unlisted_;
    for (const WaitStats* s : objects_) {
      objects.push_back({s->name(), s->type(), s->waits(),
                         std::chrono::nanoseconds{static_cast<std::int64_t>(s->wait_ns())},
                         s->longest_queue()});
    }
  }
  std::sort(objects.begin(), objects.end(), [](const auto& a, const auto& b) {
    return a.name != b.name ? a.name < b.name : a.type < b.type;
  });
}

}  // namespace switchyard::detail
