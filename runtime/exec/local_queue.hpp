// LocalQueue: a Processor's ready tasks, taken newest-first by its owner and oldest-first by
// thieves.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>

#include "exec/spinlock.hpp"
#include "task/task.hpp"

namespace switchyard::detail {

// LocalQueue keeps the two sorts of ready task apart, because they call for opposite orders:
//  - fresh tasks (spawned, not yet started) form a work-stealing deque. The owner takes the
//    newest: a task that spawns children and waits for them is followed by its own youngest
//    child, so a tree unfolds depth first and the tasks started but not finished stay within
//    depth x branching per worker, however many the tree holds (Cilk's work-first order).
//    A thief takes the oldest, the root of the largest subtree left, so one steal brings
//    it work for a long while.
//  - resumed tasks (started, then woken from a wait) form a FIFO. Resuming one costs no new
//    stack and often frees one (a parent whose children are done), and the order of
//    wake-ups is the order of readiness, so a server's connections are served in turn.
// The owner takes resumed tasks before fresh ones, except when asked to take fresh first
// (the scheduling algorithm does so every few picks, so a steady stream of wake-ups cannot
// hold back a spawned task forever). One spinlock guards both: its critical sections are a
// few pointer moves, and only the owner and the occasional thief contend for it. Links tasks
// through their own hook, so queueing never allocates. Any thread; size() is a hint.
class LocalQueue {
 public:
  void push(Task& task) noexcept {
    std::lock_guard lk(lock_);
    (task.context() == nullptr ? fresh_ : resumed_).push_back(task);
    size_.fetch_add(1, std::memory_order_seq_cst);
  }

  // pop() is the owner's take: the oldest resumed task, else the newest fresh one; with
  // `fresh_first`, the newest fresh one, else the oldest resumed. nullptr if empty.
  Task* pop(bool fresh_first) noexcept {
    if (size_.load(std::memory_order_relaxed) == 0) return nullptr;
    std::lock_guard lk(lock_);
    Task* task = nullptr;
    if (fresh_first && !fresh_.empty()) {
      task = &take_back(fresh_);
    } else if (!resumed_.empty()) {
      task = &take_front(resumed_);
    } else if (!fresh_.empty()) {
      task = &take_back(fresh_);
    }
    if (task != nullptr) size_.fetch_sub(1, std::memory_order_relaxed);
    return task;
  }

  // steal() is another worker's take: the oldest fresh task (unless `resumed_only`), else the
  // oldest resumed one.
  Task* steal(bool resumed_only) noexcept {
    if (size_.load(std::memory_order_relaxed) == 0) return nullptr;
    std::lock_guard lk(lock_);
    Task* task = nullptr;
    if (!resumed_only && !fresh_.empty()) {
      task = &take_front(fresh_);
    } else if (!resumed_.empty()) {
      task = &take_front(resumed_);
    }
    if (task != nullptr) size_.fetch_sub(1, std::memory_order_relaxed);
    return task;
  }

  std::size_t size() const noexcept { return size_.load(std::memory_order_seq_cst); }

 private:
  static Task& take_front(TaskQueue& list) noexcept {
    Task& task = list.front();
    list.pop_front();
    return task;
  }
  static Task& take_back(TaskQueue& list) noexcept {
    Task& task = list.back();
    list.pop_back();
    return task;
  }

  Spinlock lock_;
  TaskQueue fresh_;
  TaskQueue resumed_;
  std::atomic<std::size_t> size_{0};
};

}  // namespace switchyard::detail
