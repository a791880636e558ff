// RunQueue: a FIFO of ready fiber contexts that several threads push to and take from.
#pragma once

#include <atomic>
#include <cstddef>
#include <deque>
#include <mutex>

#include <boost/fiber/context.hpp>

namespace switchyard::detail {

// RunQueue holds ready contexts in FIFO order. Contexts bound to one thread (its main and
// dispatcher contexts, plain fibers a task started) may sit in a worker's own queue but are
// never stolen; task contexts, which carry their Task as properties, may be. All members may
// be called from any thread; the counts are hints for wake-up decisions.
class RunQueue {
 public:
  using context = boost::fibers::context;

  void push(context* ctx) {
    std::lock_guard lk(mutex_);
    queue_.push_back(ctx);
    if (movable(ctx)) tasks_.fetch_add(1, std::memory_order_seq_cst);
    size_.store(queue_.size(), std::memory_order_seq_cst);
  }

  context* pop() noexcept {
    if (size_.load(std::memory_order_relaxed) == 0) return nullptr;
    std::lock_guard lk(mutex_);
    if (queue_.empty()) return nullptr;
    context* ctx = queue_.front();
    queue_.pop_front();
    taken(ctx);
    return ctx;
  }

  // steal() takes the oldest task context.
  context* steal() noexcept {
    if (tasks_.load(std::memory_order_relaxed) == 0) return nullptr;
    std::lock_guard lk(mutex_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (movable(*it)) {
        context* ctx = *it;
        queue_.erase(it);
        taken(ctx);
        return ctx;
      }
    }
    return nullptr;
  }

  // size() counts every context queued; tasks() only those steal() may take.
  std::size_t size() const noexcept { return size_.load(std::memory_order_seq_cst); }
  std::size_t tasks() const noexcept { return tasks_.load(std::memory_order_seq_cst); }

 private:
  static bool movable(const context* ctx) noexcept { return ctx->get_properties() != nullptr; }
  void taken(const context* ctx) noexcept {
    if (movable(ctx)) tasks_.fetch_sub(1, std::memory_order_relaxed);
    size_.store(queue_.size(), std::memory_order_relaxed);
  }

  std::mutex mutex_;
  std::deque<context*> queue_;
  std::atomic<std::size_t> size_{0};
  std::atomic<std::size_t> tasks_{0};
};

}  // namespace switchyard::detail
