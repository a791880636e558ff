// fiber_asan: telling AddressSanitizer which stack a worker thread is running on.
#pragma once

#include <boost/fiber/context.hpp>

#include "fiber/asan_build.hpp"

namespace switchyard::detail {

// ASan keeps one pair of stack bounds per thread, and uses it when an exception is thrown
// (__asan_handle_no_return clears the poisoned redzones of the frames being unwound, from
// the stack pointer up to the top of "the" stack). Boost.Context switches stacks without
// saying so (Debian's build has no BOOST_USE_ASAN), so on a fiber ASan would still hold the
// thread's bounds: the clearing is skipped or hits the wrong memory, and the unwound frames'
// redzones stay behind on the fiber's stack, where later frames trip over them
// (docs/sanitizers.md).
//
// fiber_sanitizer.hpp says how: the scheduling algorithm's pick_next() decides every switch
// of a worker thread, and AnnouncingAlgorithm announces the chosen context's stack to ASan
// (asan_announce_switch) just before Boost jumps to it: __sanitizer_start_switch_fiber and,
// right away, __sanitizer_finish_switch_fiber. The finish half runs on the old stack, a few
// instructions early (no hook runs on the new stack after Boost's jump); in between, only
// Boost's noexcept switch code runs. No fake-stack slots are passed:
// detect_stack_use_after_return must stay off. The one switch that does not come through
// pick_next(), the dispatcher's return to the main context when the thread's scheduler is
// destroyed, is announced by the thread-local guard asan_worker_thread_started() creates.
// Outside ASan builds none of this exists.
//
// asan_worker_thread_started() must be called on a worker thread before Boost.Fiber's
// scheduler for the thread exists (before use_scheduling_algorithm): thread-locals are
// destroyed in the reverse order of their construction, and the guard must outlive it.
#if SWITCHYARD_ASAN

// asan_worker_thread_started() records the thread's stack, for its main context.
void asan_worker_thread_started() noexcept;
// asan_announce_switch() tells ASan that the thread is about to run on `next`'s stack.
void asan_announce_switch(boost::fibers::context* next) noexcept;

#endif

}  // namespace switchyard::detail
