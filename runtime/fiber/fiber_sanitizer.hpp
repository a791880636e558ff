// fiber_sanitizer: telling the sanitizers which fiber a worker thread switches to.
#pragma once

#include <chrono>

#include <boost/fiber/algo/algorithm.hpp>

#include "exec/scheduling_algorithm.hpp"
#include "fiber/fiber_asan.hpp"
#include "fiber/fiber_tsan.hpp"

#if SWITCHYARD_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace switchyard::detail {

class Worker;

// AddressSanitizer keeps one pair of stack bounds per thread, ThreadSanitizer one shadow call
// stack and vector clock; Boost.Context switches stacks without telling either (Debian's build
// has neither BOOST_USE_ASAN nor BOOST_USE_TSAN), so Switchyard tells them itself
// (fiber_asan.hpp, fiber_tsan.hpp, docs/sanitizers.md). Every switch between the contexts of
// a worker thread is decided by the scheduling algorithm's pick_next(): Boost jumps to the
// context it returns at once (in the dispatcher, nullptr means no switch). Under a sanitizer
// the worker's algorithm is AnnouncingAlgorithm, which announces that context before returning
// it. Outside sanitizer builds WorkerAlgorithm is SchedulingAlgorithm.
//
// sanitizer_worker_thread_started() must be called on a worker thread before Boost.Fiber's
// scheduler for the thread exists (before use_scheduling_algorithm): each sanitizer's part
// leaves a thread-local guard for the last switch, which must outlive that scheduler.
#if SWITCHYARD_ASAN || SWITCHYARD_TSAN

inline void sanitizer_worker_thread_started() noexcept {
#if SWITCHYARD_ASAN
  asan_worker_thread_started();
#endif
#if SWITCHYARD_TSAN
  tsan_worker_thread_started();
#endif
}

class AnnouncingAlgorithm final : public boost::fibers::algo::algorithm {
 public:
  explicit AnnouncingAlgorithm(Worker& worker) noexcept : inner_(worker) {
#if SWITCHYARD_TSAN
    // Boost hands the algorithm to other threads (they call notify()) only through its
    // scheduler's spinlocks, which TSan cannot see: made here, it is published here.
    __tsan_release(this);
#endif
  }

  void awakened(boost::fibers::context* ctx) noexcept override {
    inner_.awakened(ctx);
  }
  // Under TSan uninstrumented: the switch happens inside it, and the instrumentation would
  // push its frame on the old fiber's shadow stack and pop it from the new one's.
  SWITCHYARD_TSAN_UNINSTRUMENTED boost::fibers::context* pick_next() noexcept override {
    boost::fibers::context* next = inner_.pick_next();
#if SWITCHYARD_ASAN
    asan_announce_switch(next);
#endif
#if SWITCHYARD_TSAN
    tsan_switch_to(next);
#endif
    return next;
  }
  bool has_ready_fibers() const noexcept override {
    return inner_.has_ready_fibers();
  }
  void suspend_until(std::chrono::steady_clock::time_point const& deadline) noexcept override {
    inner_.suspend_until(deadline);
  }
  // From any thread that readies one of this thread's contexts.
  void notify() noexcept override {
#if SWITCHYARD_TSAN
    __tsan_acquire(this);
#endif
    inner_.notify();
  }

 private:
  SchedulingAlgorithm inner_;
};

using WorkerAlgorithm = AnnouncingAlgorithm;

#else

inline void sanitizer_worker_thread_started() noexcept {}
using WorkerAlgorithm = SchedulingAlgorithm;

#endif

}  // namespace switchyard::detail
