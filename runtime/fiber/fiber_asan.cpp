#include "fiber/fiber_asan.hpp"

#if SWITCHYARD_ASAN

#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>

#include <cstring>

#include <boost/fiber/context.hpp>

#include "fiber/stack_pool.hpp"

namespace switchyard::detail {

namespace {

struct Bounds {
  const void* bottom = nullptr;
  std::size_t size = 0;  // 0: not known
};

// The thread's own stack, where its main context runs.
thread_local Bounds tl_thread_stack;
// The dispatcher context's stack (Boost allocates it), looked up once per thread.
thread_local const boost::fibers::context* tl_dispatcher = nullptr;
thread_local Bounds tl_dispatcher_stack;

void announce(const Bounds& b) noexcept {
  __sanitizer_start_switch_fiber(nullptr, b.bottom, b.size);
  __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
}

// A stack Boost allocated itself (the dispatcher's, a plain fiber's: its default
// fixedsize_stack takes it from malloc) is the heap block the context object lies in.
Bounds heap_block_of(const void* p) noexcept {
  void* begin = nullptr;
  std::size_t size = 0;
  const char* kind = __asan_locate_address(const_cast<void*>(p), nullptr, 0, &begin, &size);
  if (kind == nullptr || std::strcmp(kind, "heap") != 0 || begin == nullptr) return {};
  return {begin, size};
}

// Boost.Fiber builds every context object inside the stack it runs on (at the top), so the
// context's address says which stack it is.
Bounds stack_of(const boost::fibers::context* ctx) noexcept {
  if (ctx->is_context(boost::fibers::type::main_context)) return tl_thread_stack;
  if (ctx->is_context(boost::fibers::type::dispatcher_context)) {
    if (ctx != tl_dispatcher) {
      tl_dispatcher = ctx;
      tl_dispatcher_stack = heap_block_of(ctx);
    }
    return tl_dispatcher_stack;
  }
  Bounds b;
  if (StackPool::locate(ctx, b.bottom, b.size)) return b;  // a task's stack
  return heap_block_of(ctx);
}

// Destroyed with the thread's other thread-locals, after Boost.Fiber's scheduler (which was
// created later): the dispatcher's last switch, back to the main context, happens in that
// scheduler's destructor without a pick_next().
struct ThreadStackGuard {
  ~ThreadStackGuard() {
    if (tl_thread_stack.size != 0) announce(tl_thread_stack);
  }
};

}  // namespace

void asan_worker_thread_started() noexcept {
  static thread_local ThreadStackGuard guard;
  (void)guard;
  // The thread's stack as ASan knows it (it leaves out the TLS block at the top): an empty
  // switch hands back the bounds it held, which are then announced again.
  const void* bottom = nullptr;
  std::size_t size = 0;
  __sanitizer_start_switch_fiber(nullptr, nullptr, 0);
  __sanitizer_finish_switch_fiber(nullptr, &bottom, &size);
  tl_thread_stack = {bottom, size};
  announce(tl_thread_stack);
}

void asan_announce_switch(boost::fibers::context* next) noexcept {
  if (next == nullptr) return;  // the dispatcher found nothing to run: no switch
  const Bounds b = stack_of(next);
  // A stack that cannot be identified is not announced: ASan keeps the bounds it has.
  if (b.size != 0) announce(b);
}

}  // namespace switchyard::detail

#endif  // SWITCHYARD_ASAN
