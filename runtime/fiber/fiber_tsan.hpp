// fiber_tsan: telling ThreadSanitizer which fiber a worker thread is running.
#pragma once

#include <boost/fiber/context.hpp>

#include "fiber/tsan_build.hpp"

// ThreadSanitizer keeps, per thread, a vector clock and a shadow call stack (pushed and popped
// by the instrumentation at every function's entry and exit). Boost.Context switches stacks
// without saying so (Debian's build has no BOOST_USE_TSAN), so left alone every fiber of a
// worker thread would share its thread's shadow stack: frames pushed on one fiber are popped
// on another, and the stack drifts until TSan crashes (docs/sanitizers.md). So every context a
// worker runs gets its own TSan fiber (__tsan_create_fiber), and the worker switches TSan to it
// just before Boost jumps to the context, where the scheduling algorithm's pick_next() returns
// it (fiber_sanitizer.hpp):
// - the thread's main context runs on the thread's own TSan state;
// - its dispatcher context gets a fiber at the first switch to it, destroyed with the thread's
//   other thread-locals, after Boost.Fiber's scheduler (the dispatcher's last switch, back to
//   the main context in that scheduler's destructor, comes without a pick_next(): the guard
//   tsan_worker_thread_started() creates makes it);
// - a task's context gets one at the first switch to it, kept in its Task (TsanFiber) and
//   destroyed with it, by the dispatcher that releases the terminated context: never on the
//   fiber itself.
// The switches synchronise (flag 0): a context handed to the next on the same thread, or to
// another thread through the run queues, happens before it, as it does. The shadow stacks stay
// exact only if no instrumented frame spans a switch: the code that switches is uninstrumented
// (SWITCHYARD_TSAN_UNINSTRUMENTED), and so are the frames Boost.Context builds at the bottom of
// a task's stack (task_context.hpp). A context no one gave a fiber (a plain Boost fiber a task
// started) is not switched to: it runs on the fiber that switched away, which TSan cannot
// follow. Outside TSan builds none of this exists.
#if SWITCHYARD_TSAN

// SWITCHYARD_TSAN_UNINSTRUMENTED marks a function TSan must not instrument at all, not even
// with the shadow call stack's entry and exit.
#if defined(__clang__)
#define SWITCHYARD_TSAN_UNINSTRUMENTED __attribute__((disable_sanitizer_instrumentation))
#else
#define SWITCHYARD_TSAN_UNINSTRUMENTED __attribute__((no_sanitize_thread))
#endif

namespace switchyard::detail {

// TsanFiber is the TSan fiber of one task's context: made at the first switch to it,
// destroyed with it. Not copyable.
class TsanFiber {
 public:
  TsanFiber() noexcept = default;
  ~TsanFiber();
  TsanFiber(const TsanFiber&) = delete;
  TsanFiber& operator=(const TsanFiber&) = delete;

  // get() is the fiber, made at the first call.
  void* get() noexcept;

 private:
  void* fiber_ = nullptr;
};

// tsan_worker_thread_started() records the thread's own TSan state, for its main context. Call
// it on a worker thread before Boost.Fiber's scheduler for the thread exists (before
// use_scheduling_algorithm): thread-locals are destroyed in the reverse order of their
// construction, and the guard it creates must outlive that scheduler.
void tsan_worker_thread_started() noexcept;
// tsan_switch_to() switches TSan to `next`'s fiber (nullptr: no switch). Call it only from an
// uninstrumented function that returns straight to Boost's jump.
SWITCHYARD_TSAN_UNINSTRUMENTED void tsan_switch_to(boost::fibers::context* next) noexcept;

}  // namespace switchyard::detail

#else

#define SWITCHYARD_TSAN_UNINSTRUMENTED

#endif
