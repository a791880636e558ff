// make_task_context: the fiber context a task runs on.
#pragma once

#include <boost/fiber/context.hpp>

#include "fiber/stack_pool.hpp"

namespace switchyard::detail {

// make_task_context() makes a context, its stack from `stacks`, whose body is `entry(arg)`;
// the caller attaches it to a scheduler. Throws what the stack allocation throws.
//
// It is a unit of its own because under ThreadSanitizer it is compiled without
// instrumentation (runtime/meson.build): Boost.Context builds the frames at the bottom of the
// context's stack from templates instantiated here, and when the terminated context is
// released, the dispatcher resumes it once to unwind them, on the dispatcher's TSan fiber. An
// instrumented frame there would be popped from the dispatcher's shadow call stack, which does
// not hold it (fiber_tsan.hpp). `entry` itself is instrumented as usual.
boost::intrusive_ptr<boost::fibers::context> make_task_context(StackPool& stacks,
                                                               void (*entry)(void*), void* arg);

}  // namespace switchyard::detail
