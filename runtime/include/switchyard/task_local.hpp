// TaskLocal<T>: a variable with one value per task, which follows the task across threads.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

namespace switchyard {

namespace detail {

// new_task_local_id() numbers a new TaskLocal; numbers are never reused.
std::uint64_t new_task_local_id() noexcept;

// task_local_value() is the calling task's value for TaskLocal `id`, made by `make(local)` on
// its first read and destroyed by `destroy` when the task ends. Throws std::logic_error
// outside a task, and what `make` throws.
void* task_local_value(std::uint64_t id, void* (*make)(const void* local),
                       void (*destroy)(void* value) noexcept, const void* local);

}  // namespace detail

// TaskLocal<T> gives every task its own T, in place of a thread_local, which a task must not
// read across a wait (it resumes on another thread). A task's value is made on its first read
// (value-initialized, or by the initializer given), stays with it when it moves between
// executors or resumes elsewhere after a wait, and is destroyed when the task ends, before its
// future resolves: in the task, after its callable has returned (newest TaskLocal's value
// first). A task holds values only for the TaskLocals it reads; the read takes no lock (a
// binary search in the task's own small table). Reading outside a task throws
// std::logic_error: a thread has no task's value to give. A TaskLocal destroyed while tasks
// still hold values leaves them to be destroyed as those tasks end. Thread-safe: each task
// reaches only its own value; a value is as shareable as any T.
template <class T>
class TaskLocal {
 public:
  // TaskLocal() gives each task a value-initialized T.
  TaskLocal() = default;
  // TaskLocal(init) gives each task init()'s result; init runs in the task, at its first read.
  explicit TaskLocal(std::function<T()> init) : init_(std::move(init)) {}
  TaskLocal(const TaskLocal&) = delete;
  TaskLocal& operator=(const TaskLocal&) = delete;

  // get() is the calling task's value, made now if this is its first read. Throws
  // std::logic_error outside a task, what T's construction or the initializer throws, and
  // std::logic_error for a first read from the destructor of another of the task's values.
  T& get() const { return *static_cast<T*>(detail::task_local_value(id_, &make, &destroy, this)); }
  // operator* and operator-> are get().
  T& operator*() const { return get(); }
  T* operator->() const { return &get(); }

 private:
  static void* make(const void* local) {
    const auto& init = static_cast<const TaskLocal*>(local)->init_;
    return init ? new T(init()) : new T();
  }
  static void destroy(void* value) noexcept { delete static_cast<T*>(value); }

  const std::uint64_t id_ = detail::new_task_local_id();
  const std::function<T()> init_;
};

}  // namespace switchyard
