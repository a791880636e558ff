// TaskLocals: one task's TaskLocal values.
#pragma once

#include <cstdint>
#include <vector>

namespace switchyard::detail {

// TaskLocals holds a task's TaskLocal values, one entry per TaskLocal it has read, sorted by the
// TaskLocal's id: memory grows with the TaskLocals a task uses, not with how many exist. Only
// its task touches it, from whichever thread runs the task: no lock.
class TaskLocals {
 public:
  // Make makes a value from its TaskLocal, Destroy destroys one.
  using Make = void* (*)(const void* local);
  using Destroy = void (*)(void* value) noexcept;

  TaskLocals() = default;
  ~TaskLocals() { clear(); }
  TaskLocals(const TaskLocals&) = delete;
  TaskLocals& operator=(const TaskLocals&) = delete;

  // value() is the value for TaskLocal `id`, made by `make(local)` the first time. Throws what
  // `make` throws, std::bad_alloc, and std::logic_error for a value first read while clear()
  // destroys the others.
  void* value(std::uint64_t id, Make make, Destroy destroy, const void* local);
  // clear() destroys every value, the newest TaskLocal's first. A value's destructor may read
  // the values not destroyed yet.
  void clear() noexcept;
  // size() is the number of values held.
  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::uint64_t id;
    void* value;
    Destroy destroy;
  };

  std::vector<Entry> entries_;
  bool clearing_ = false;
};

}  // namespace switchyard::detail
