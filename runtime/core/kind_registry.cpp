#include "core/kind_registry.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <functional>
#include <mutex>

#include "core/logger.hpp"
#include "core/name_bound.hpp"

namespace switchyard::detail {

namespace {

// KindCache is a thread's kinds looked up lately, by a hash of the name, direct-mapped: an
// entry answers only for its registry and only a name equal to its record's.
struct KindCache {
  static constexpr std::size_t kEntries = 16;
  struct Entry {
    std::uint64_t registry = 0;
    KindRecord* record = nullptr;
  };
  std::array<Entry, kEntries> entries{};

  Entry& slot(std::string_view name) noexcept {
    return entries[std::hash<std::string_view>{}(name) % kEntries];
  }
};

thread_local KindCache cache;

std::atomic<std::uint64_t> next_registry_id{1};

}  // namespace

KindRegistry::KindRegistry(const Config& config, const TaskTable& tasks,
                           std::function<void(KindRecord&)> on_new)
    : id_(next_registry_id.fetch_add(1, std::memory_order_relaxed)),
      config_(config),
      tasks_(tasks),
      on_new_(std::move(on_new)) {}

KindRecord& KindRegistry::get(std::string_view name) {
  // `cached` is this thread's entry until the end: find_or_add() (on_new_ included) never
  // suspends, so the task cannot move to another thread in between.
  KindCache::Entry& cached = cache.slot(name);
  if (cached.registry == id_ && cached.record->name == name) return *cached.record;
  KindRecord& record = find_or_add(name);
  if (record.name == name) cached = {id_, &record};  // not the overflow kind's stand-in
  return record;
}

KindRecord& KindRegistry::find_or_add(std::string_view name) {
  check_name("switchyard: a kind name", name);
  {
    std::shared_lock lk(mutex_);
    if (auto it = kinds_.find(name); it != kinds_.end()) return *it->second;
    if (overflow_ && kinds_.size() >= kMaxKinds) {
      // Past the limit, only a kind the config or the task table knows may still be new.
      if (!config_.kinds.contains(name) && tasks_.find(name) == nullptr) return *overflow_;
    }
  }
  KindConfig settings;
  const auto configured = config_.kinds.find(name);
  if (configured != config_.kinds.end()) settings = configured->second;
  const bool registered = tasks_.find(name) != nullptr;
  std::unique_lock lk(mutex_);
  if (auto it = kinds_.find(name); it != kinds_.end()) return *it->second;
  if (kinds_.size() >= kMaxKinds && configured == config_.kinds.end() && !registered) {
    return overflow(name);
  }
  auto [it, inserted] = kinds_.try_emplace(std::string(name), nullptr);
  try {
    it->second = std::make_unique<KindRecord>(std::string(name), settings, registered,
                                              config_.profiling.follow_changes);
  } catch (...) {
    kinds_.erase(it);
    throw;
  }
  on_new_(*it->second);
  return *it->second;
}

KindRecord& KindRegistry::overflow(std::string_view name) {
  if (!overflow_) {
    overflow_ = std::make_unique<KindRecord>(std::string(kOverflowName), KindConfig{}, false,
                                             config_.profiling.follow_changes);
    on_new_(*overflow_);
    const std::string_view shown = name.substr(0, 64);
    log(LogLevel::warning, "kinds_overflow", {{"kind", shown}},
        "switchyard: more than {} task kinds: kind '{}' and every later new kind share one "
        "profile, reported as '{}' (a kind should name code, not data such as a URL or an id)",
        kMaxKinds, shown, kOverflowName);
  }
  return *overflow_;
}

void KindRegistry::for_each(const std::function<void(KindRecord&)>& fn) const {
  std::shared_lock lk(mutex_);
  for (const auto& [name, record] : kinds_) fn(*record);
  if (overflow_) fn(*overflow_);
}

}  // namespace switchyard::detail
