#include <switchyard/detail/wait_stats.hpp>

#include <algorithm>
#include <string>

#include "core/clock.hpp"
#include "core/name_bound.hpp"
#include "sync/sync_registry.hpp"

namespace switchyard::detail {

WaitStats* WaitStats::make(const char* type, std::string_view name) {
  check_name("switchyard::" + std::string(type) + ": a name", name);
  return new WaitStats(type, name);
}

void WaitStats::began() noexcept {
  const std::uint64_t queue = waiting_.fetch_add(1, std::memory_order_relaxed) + 1;
  std::uint64_t longest = longest_queue_.load(std::memory_order_relaxed);
  while (queue > longest &&
         !longest_queue_.compare_exchange_weak(longest, queue, std::memory_order_relaxed)) {
  }
}

void WaitStats::ended(std::int64_t ns) noexcept {
  SyncRegistry* r = SyncRegistry::of_current();
  if (r != nullptr && registry.load(std::memory_order_relaxed) != r->id()) r->join(*this);
  waiting_.fetch_sub(1, std::memory_order_relaxed);
  waits_.fetch_add(1, std::memory_order_relaxed);
  wait_ns_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(ns, 0)),
                     std::memory_order_relaxed);
}

void WaitName::set(const char* type, std::string_view name) {
  WaitStats* fresh = name.empty() ? nullptr : WaitStats::make(type, name);
  if (stats_ != nullptr) stats_->release();
  stats_ = fresh;
}

void WaitRecord::begin(WaitStats* stats) noexcept {
  stats_ = stats;
  stats->began();
  since_ns_ = steady_ns();
}

void WaitRecord::end() noexcept {
  stats_->ended(steady_ns() - since_ns_);
}

}  // namespace switchyard::detail
