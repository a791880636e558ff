// KindRegistry: the task kinds a runtime has seen, by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

#include <switchyard/config.hpp>

#include "core/kind_record.hpp"
#include "shard/task_table.hpp"

namespace switchyard::detail {

// KindRegistry creates a KindRecord the first time a kind name is used, with its settings
// from the config's [kinds] table, and whether it is a registered task (shards can run it), and
// hands it to `on_new` before any other thread can see it. A thread looks up a kind it has
// looked up before in a cache of its own, without a lock: a shared lock's reader count is a
// cache line that every spawn on every core would write. Other lookups take the shared lock.
// All members may be called from any thread.
//
// A kind names code, not data, but nothing stops a program from naming kinds after URLs or
// ids, and each kind keeps a profile for the runtime's life: so the kinds are bounded. Past
// kMaxKinds, a new name that the config does not mention and that is not a registered task
// gets the one overflow kind, kOverflowName, shared by all such names (said once on stderr).
class KindRegistry {
 public:
  static constexpr std::size_t kMaxKinds = 4096;
  static constexpr std::string_view kOverflowName = "(kinds past the limit)";

  KindRegistry(const Config& config, const TaskTable& tasks,
               std::function<void(KindRecord&)> on_new);

  // get() returns the kind's record, creating it on first use, or the overflow kind's past
  // kMaxKinds. Throws std::invalid_argument for a name longer than kMaxNameBytes (name_bound.hpp).
  KindRecord& get(std::string_view name);

  // for_each() calls fn(KindRecord&) for every kind, in name order and the overflow kind last,
  // under the shared lock.
  void for_each(const std::function<void(KindRecord&)>& fn) const;

 private:
  KindRecord& find_or_add(std::string_view name);
  KindRecord& overflow(std::string_view name);  // caller holds mutex_ exclusively

  const std::uint64_t id_;  // never reused, so no thread's cache mistakes another registry's
  const Config& config_;
  const TaskTable& tasks_;
  const std::function<void(KindRecord&)> on_new_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::unique_ptr<KindRecord>, std::less<>> kinds_;
  std::unique_ptr<KindRecord> overflow_;
};

}  // namespace switchyard::detail
