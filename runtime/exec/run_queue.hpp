// RunQueue: a FIFO of ready tasks that several threads push to and take from.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>

#include "exec/spinlock.hpp"
#include "task/task.hpp"

namespace switchyard::detail {

// RunQueue holds ready tasks in FIFO order: tasks not yet started, and started ones whose
// contexts are detached. It links them through the Task's own hook, so queueing never
// allocates. All members may be called from any thread; size() is a hint for wake-up
// decisions.
class RunQueue {
 public:
  void push(Task& task) noexcept {
    std::lock_guard lk(lock_);
    queue_.push_back(task);
    size_.fetch_add(1, std::memory_order_seq_cst);
  }

  // pop() takes the oldest task; nullptr if empty.
  Task* pop() noexcept {
    if (size_.load(std::memory_order_relaxed) == 0) return nullptr;
    std::lock_guard lk(lock_);
    if (queue_.empty()) return nullptr;
    Task& task = queue_.front();
    queue_.pop_front();
    size_.fetch_sub(1, std::memory_order_relaxed);
    return &task;
  }

  std::size_t size() const noexcept { return size_.load(std::memory_order_seq_cst); }

 private:
  Spinlock lock_;
  TaskQueue queue_;
  std::atomic<std::size_t> size_{0};
};

}  // namespace switchyard::detail
