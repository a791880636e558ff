// Overflow handler: a fault in a fiber stack's guard page named as the overflow it is.
#pragma once

#include <signal.h>

#include <cstddef>
#include <memory>

namespace switchyard::detail {

// install_overflow_handler() puts in place, for the whole process, a SIGSEGV and SIGBUS
// handler that recognises a fault in a guard page of the faulting worker's stack pool
// (StackPool): a task overflowed its stack. It writes which kind's task and the stack size on
// stderr, then aborts. Every other fault goes on to the disposition it replaced (the
// program's handler, or the default action), unchanged. Each runtime calls it as it starts:
// if the program has installed a handler over it since, that one is chained to from then on.
// It is never uninstalled, as another runtime may need it. Under AddressSanitizer it does
// nothing: ASan owns SIGSEGV and reports a fault in a guard page itself, as a
// stack-overflow. Any thread; does not block for long.
void install_overflow_handler() noexcept;

// SignalStack gives the thread that makes it an alternate signal stack while it lives, so
// that the handler has a stack to run on when the thread's own is the one that overflowed.
// Without memory for one, the thread goes without (an overflow then kills it silently, as it
// would with no handler). A no-op under AddressSanitizer, which gives each thread its own.
class SignalStack {
 public:
  SignalStack() noexcept;
  ~SignalStack();
  SignalStack(const SignalStack&) = delete;
  SignalStack& operator=(const SignalStack&) = delete;

 private:
  std::unique_ptr<char[]> stack_;
  stack_t previous_{};
};

}  // namespace switchyard::detail
