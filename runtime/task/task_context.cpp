#include "task/task_context.hpp"

#include <boost/fiber/policy.hpp>

namespace switchyard::detail {

boost::intrusive_ptr<boost::fibers::context> make_task_context(StackPool& stacks,
                                                               void (*entry)(void*), void* arg) {
  return boost::fibers::make_worker_context(boost::fibers::launch::post, StackAllocator(stacks),
                                            [entry, arg] { entry(arg); });
}

}  // namespace switchyard::detail
