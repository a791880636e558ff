#include "fiber/fiber_tsan.hpp"

#if SWITCHYARD_TSAN

#include <sanitizer/tsan_interface.h>

#include "task/task.hpp"

namespace switchyard::detail {

namespace {

// The thread's own TSan state, where its main context runs.
thread_local void* tl_main_fiber = nullptr;
// The dispatcher context's fiber, made at the first switch to it.
thread_local void* tl_dispatcher_fiber = nullptr;

// Destroyed with the thread's other thread-locals, after Boost.Fiber's scheduler (which was
// created later): the dispatcher's last switch, back to the main context, happens in that
// scheduler's destructor without a pick_next(). Uninstrumented: its own frame would be pushed
// on the dispatcher's shadow stack and popped from the main one's.
struct ThreadFiberGuard {
  SWITCHYARD_TSAN_UNINSTRUMENTED ~ThreadFiberGuard() {
    if (tl_dispatcher_fiber == nullptr) return;
    __tsan_switch_to_fiber(tl_main_fiber, 0);
    __tsan_destroy_fiber(tl_dispatcher_fiber);
    tl_dispatcher_fiber = nullptr;
  }
};

}  // namespace

TsanFiber::~TsanFiber() {
  if (fiber_ != nullptr) __tsan_destroy_fiber(fiber_);
}

void* TsanFiber::get() noexcept {
  if (fiber_ == nullptr) fiber_ = __tsan_create_fiber(0);
  return fiber_;
}

void tsan_worker_thread_started() noexcept {
  static thread_local ThreadFiberGuard guard;
  (void)guard;
  tl_main_fiber = __tsan_get_current_fiber();
}

void tsan_switch_to(boost::fibers::context* next) noexcept {
  if (next == nullptr) return;  // the dispatcher found nothing to run: no switch
  void* fiber = nullptr;
  if (Task* task = Task::of(next)) {
    fiber = task->tsan_fiber.get();
  } else if (next->is_context(boost::fibers::type::main_context)) {
    fiber = tl_main_fiber;
  } else if (next->is_context(boost::fibers::type::dispatcher_context)) {
    if (tl_dispatcher_fiber == nullptr) tl_dispatcher_fiber = __tsan_create_fiber(0);
    fiber = tl_dispatcher_fiber;
  }
  // Synchronising: what ran before the switch happens before what runs after it.
  if (fiber != nullptr) __tsan_switch_to_fiber(fiber, 0);
}

}  // namespace switchyard::detail

#endif  // SWITCHYARD_TSAN
