// TaskTable: the registered tasks, by name, as the program has them at one moment.
#pragma once

#include <string_view>
#include <vector>

#include <switchyard/detail/task_table.hpp>

namespace switchyard::detail {

// TaskTable is a copy of the program's task registrations. The registrations themselves are
// the one process-wide list in Switchyard, because they are made by static objects before
// any Runtime exists; a Runtime takes a TaskTable when it starts, and its shards run exactly
// the tasks in it. Immutable once taken: any thread may read it without a lock.
class TaskTable {
 public:
  // snapshot() copies the registrations made so far. Throws std::logic_error when two
  // different tasks share a name. Any thread.
  static TaskTable snapshot();

  // find() is the task named `name`, or null.
  const TaskEntry* find(std::string_view name) const noexcept;
  bool empty() const noexcept { return entries_.empty(); }

 private:
  std::vector<const TaskEntry*> entries_;  // sorted by name, unique
};

}  // namespace switchyard::detail
