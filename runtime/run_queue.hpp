// RunQueue: a FIFO of ready task contexts that several threads push to and take from.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>

#include <boost/fiber/context.hpp>
#include <boost/fiber/scheduler.hpp>

#include "spinlock.hpp"

namespace switchyard::detail {

// RunQueue holds ready task contexts in FIFO order, linked through the contexts' own ready
// hooks (Boost.Fiber reserves that hook for the scheduling algorithm), so queueing never
// allocates. All members may be called from any thread; size() is a hint for wake-up
// decisions.
class RunQueue {
 public:
  using context = boost::fibers::context;

  void push(context* ctx) noexcept {
    std::lock_guard lk(lock_);
    ctx->ready_link(queue_);
    size_.fetch_add(1, std::memory_order_seq_cst);
  }

  // pop() takes the oldest context; nullptr if empty.
  context* pop() noexcept {
    if (size_.load(std::memory_order_relaxed) == 0) return nullptr;
    std::lock_guard lk(lock_);
    if (queue_.empty()) return nullptr;
    context* ctx = &queue_.front();
    ctx->ready_unlink();
    size_.fetch_sub(1, std::memory_order_relaxed);
    return ctx;
  }

  std::size_t size() const noexcept { return size_.load(std::memory_order_seq_cst); }

 private:
  Spinlock lock_;
  boost::fibers::scheduler::ready_queue_type queue_;
  std::atomic<std::size_t> size_{0};
};

}  // namespace switchyard::detail
