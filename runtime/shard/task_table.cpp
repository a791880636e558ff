#include "shard/task_table.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>

namespace switchyard::detail {

namespace {

struct Registrations {
  std::mutex mutex;
  std::vector<const TaskEntry*> entries;
};

// A function-local static, so that registrations made during static initialisation, in any
// order, find it constructed.
Registrations& registrations() {
  static Registrations r;
  return r;
}

}  // namespace

void register_task(const TaskEntry& entry) noexcept {
  Registrations& r = registrations();
  std::lock_guard lk(r.mutex);
  try {
    r.entries.push_back(&entry);
  } catch (const std::bad_alloc&) {
    // Out of memory during static initialisation: the task stays unknown to shards, which
    // reject its calls by name.
  }
}

TaskTable TaskTable::snapshot() {
  TaskTable table;
  {
    Registrations& r = registrations();
    std::lock_guard lk(r.mutex);
    table.entries_ = r.entries;
  }
  auto by_name = [](const TaskEntry* a, const TaskEntry* b) { return a->name < b->name; };
  std::sort(table.entries_.begin(), table.entries_.end(), by_name);
  auto same = [](const TaskEntry* a, const TaskEntry* b) { return a->name == b->name; };
  for (auto it = table.entries_.begin();
       (it = std::adjacent_find(it, table.entries_.end(), same)) != table.entries_.end(); ++it) {
    if ((*it)->invoke != (*std::next(it))->invoke) {
      throw std::logic_error("switchyard: two different registered tasks are named '" +
                             std::string((*it)->name) + "'; task names must be unique");
    }
  }
  table.entries_.erase(std::unique(table.entries_.begin(), table.entries_.end(), same),
                       table.entries_.end());
  return table;
}

const TaskEntry* TaskTable::find(std::string_view name) const noexcept {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const TaskEntry* e, std::string_view n) { return e->name < n; });
  return it != entries_.end() && (*it)->name == name ? *it : nullptr;
}

}  // namespace switchyard::detail
