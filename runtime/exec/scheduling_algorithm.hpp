// SchedulingAlgorithm: Switchyard's Boost.Fiber scheduling algorithm, one per worker thread.
#pragma once

#include <atomic>
#include <chrono>

#include <boost/fiber/algo/algorithm.hpp>

namespace switchyard::detail {

class Task;
class Worker;
struct Processor;

// SchedulingAlgorithm decides, for one worker thread, which ready context runs next, and is
// where tasks move between executors. Boost calls awakened() after a context has switched
// away, so a task context can be detached there and queued on any executor: that is how
// tasks migrate (their kind moved, or this_task::move_to), and how work is shared. It is
// also where every task slice starts and ends, so the measurements live here. All its state
// is its worker's, here or in the Worker: several runtimes' workers coexist in one process
// (unlike Boost's shared_work and work_stealing, which keep static state).
class SchedulingAlgorithm final : public boost::fibers::algo::algorithm {
 public:
  // On the worker's thread, as its Boost.Fiber scheduler is set up.
  explicit SchedulingAlgorithm(Worker& worker) noexcept;

  void awakened(boost::fibers::context* ctx) noexcept override;
  boost::fibers::context* pick_next() noexcept override;
  bool has_ready_fibers() const noexcept override;
  void suspend_until(std::chrono::steady_clock::time_point const& deadline) noexcept override;
  void notify() noexcept override;

 private:
  boost::fibers::context* next_task(Processor* p) noexcept;
  Task* next_own(Processor& p, bool fresh_first) noexcept;
  boost::fibers::context* next_pinned() noexcept;
  bool takes_tasks(const Processor* p) const noexcept;
  void switch_slices(boost::fibers::context* next) noexcept;

  Worker& worker_;
  // The thread's main context: attaches the contexts picked here to the thread's scheduler
  // without a thread-local lookup of the active one on every pick.
  boost::fibers::context* const home_;
  // The task context that switched away in the last pick_next() while still ready (it
  // yielded, or parked in a Waiter): awakened() sees it next, as no wake-up.
  boost::fibers::context* yielding_ = nullptr;
  // How many picks in a row took the run-next slot's task.
  unsigned run_next_streak_ = 0;
  // Work for Boost's dispatcher context since it last ran: a fiber finished here (own
  // thread); a context was woken from another thread for it (any thread, notify()).
  bool dispatcher_has_work_ = false;
  std::atomic<bool> remote_wake_{false};
};

}  // namespace switchyard::detail
