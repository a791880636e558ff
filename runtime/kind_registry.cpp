#include "kind_registry.hpp"

#include <mutex>

namespace switchyard::detail {

KindRecord& KindRegistry::get(std::string_view name) {
  {
    std::shared_lock lk(mutex_);
    if (auto it = kinds_.find(name); it != kinds_.end()) return *it->second;
  }
  KindConfig settings;
  if (auto it = config_.kinds.find(name); it != config_.kinds.end()) settings = it->second;
  std::unique_lock lk(mutex_);
  auto [it, inserted] = kinds_.try_emplace(std::string(name), nullptr);
  if (inserted) {
    try {
      it->second =
          std::make_unique<KindRecord>(std::string(name), settings, tasks_.find(name) != nullptr);
    } catch (...) {
      kinds_.erase(it);
      throw;
    }
    on_new_(*it->second);
  }
  return *it->second;
}

void KindRegistry::for_each(const std::function<void(KindRecord&)>& fn) const {
  std::shared_lock lk(mutex_);
  for (const auto& [name, record] : kinds_) fn(*record);
}

}  // namespace switchyard::detail
