#include "task/task_locals.hpp"

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>

#include <switchyard/task_local.hpp>

#include "task/task.hpp"

namespace switchyard::detail {

void* TaskLocals::value(std::uint64_t id, Make make, Destroy destroy, const void* local) {
  const auto find = [&] {
    return std::lower_bound(entries_.begin(), entries_.end(), id,
                            [](const Entry& e, std::uint64_t key) { return e.id < key; });
  };
  auto at = find();
  if (at != entries_.end() && at->id == id) return at->value;
  if (clearing_) {
    throw std::logic_error(
        "switchyard::TaskLocal: first read while the task's task-locals are being destroyed");
  }
  // The initializer may read other TaskLocals, even this one: the place is found again after it.
  void* made = make(local);
  at = find();
  if (at != entries_.end() && at->id == id) {
    destroy(made);
    return at->value;
  }
  try {
    entries_.insert(at, Entry{id, made, destroy});
  } catch (...) {
    destroy(made);
    throw;
  }
  return made;
}

void TaskLocals::clear() noexcept {
  clearing_ = true;
  while (!entries_.empty()) {
    const Entry last = entries_.back();
    entries_.pop_back();
    last.destroy(last.value);
  }
  clearing_ = false;
}

std::uint64_t new_task_local_id() noexcept {
  // Touched when a TaskLocal is made, never when one is read.
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

void* task_local_value(std::uint64_t id, TaskLocals::Make make, TaskLocals::Destroy destroy,
                       const void* local) {
  Task* t = Task::current();
  if (t == nullptr) throw std::logic_error("switchyard::TaskLocal: read outside a task");
  if (!t->locals) t->locals = std::make_unique<TaskLocals>();
  return t->locals->value(id, make, destroy, local);
}

}  // namespace switchyard::detail
