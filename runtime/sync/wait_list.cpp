#include <switchyard/detail/wait_list.hpp>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <boost/fiber/context.hpp>

#include <switchyard/detail/cancel_state.hpp>
#include <switchyard/errors.hpp>
#include <switchyard/placement.hpp>

#include "core/clock.hpp"
#include "core/runtime_core.hpp"
#include "exec/executor.hpp"
#include "exec/worker.hpp"
#include "io/reactor.hpp"
#include "task/task.hpp"
#include "task/waiter.hpp"

namespace switchyard::detail {

namespace {

using time_point = std::chrono::steady_clock::time_point;

// futex_wait() sleeps while `word` holds `expected`, until `deadline` (time_point::max():
// none); returns at once if it does not, and may return early. steady_clock is
// CLOCK_MONOTONIC, which FUTEX_WAIT_BITSET takes as an absolute time.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, time_point deadline) {
  timespec at{};
  timespec* timeout = nullptr;
  if (deadline != time_point::max()) {
    at = to_timespec(
        std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch()).count());
    timeout = &at;
  }
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word),
          FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, timeout, nullptr,
          FUTEX_BITSET_MATCH_ANY);
}

void futex_wake(std::atomic<std::uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1,
          nullptr, nullptr, 0);
}

// reactor_of() is where a task running on `w` arms its wait: its fiber worker's reactor, or
// for a pool task one of the fiber executor's (pool threads have none), chosen by the
// worker's index so that the pools spread over them. The reactor times the wait out and
// cancels it at shutdown; the task itself parks on the pool thread as on a fiber worker.
Reactor& reactor_of(Worker& w, Task& task) noexcept {
  if (w.executor.has_reactors()) return w.executor.reactor_for(w);
  return task.runtime.executor(Placement::fiber).reactor_at(w.index);
}

// block() waits as a thread: on the sleeper's futex word, claiming the wait itself when the
// deadline passes.
WaitOutcome block(std::atomic<std::uint32_t>& woken, std::atomic<std::uintptr_t>& slot,
                  std::uintptr_t armed, time_point deadline) {
  while (woken.load(std::memory_order_acquire) == 0) {
    if (deadline != time_point::max() && std::chrono::steady_clock::now() >= deadline) {
      std::uintptr_t expected = armed;
      if (slot.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) {
        return WaitOutcome::timeout;
      }
      // A claimant got there first and is about to wake us.
      deadline = time_point::max();
    }
    futex_wait(woken, 0, deadline);
  }
  return WaitOutcome::woken;
}

}  // namespace

void Sleeper::wake() noexcept {
  if (waiter_ != nullptr) {
    waiter_->wake(Waiter::Outcome::ready);
    return;
  }
  futex_.store(1, std::memory_order_release);
  futex_wake(futex_);
}

WaitOutcome wait_as(Sleeper& s, time_point deadline, void (*link)(void*), void* arg) {
  const WaitRecord record(s.named_);
  Task* task = Task::current();
  if (task == nullptr) {
    s.armed_ = 1;
    s.slot_.store(1, std::memory_order_relaxed);
    link(arg);
    return block(s.futex_, s.slot_, 1, deadline);
  }
  Waiter waiter(task->context(), deadline, &s.slot_, s.cause_);
  s.waiter_ = &waiter;
  s.armed_ = reinterpret_cast<std::uintptr_t>(&waiter);
  s.slot_.store(s.armed_, std::memory_order_relaxed);
  link(arg);
  const Waiter::Outcome outcome = reactor_of(*Worker::current(), *task).park(waiter);
  // A claimant's wake wins over the reactor's report: once the runtime cancels, the reactor
  // says every wait was cancelled, but a waiter handed a lock or a value owns it now.
  if (s.winner_ != nullptr) return WaitOutcome::woken;
  return outcome == Waiter::Outcome::timeout ? WaitOutcome::timeout : WaitOutcome::cancelled;
}

void throw_cancelled(const char* what) {
  throw TaskCancelled(std::string("switchyard: ") + what + " cancelled: " + cancel_reason());
}

}  // namespace switchyard::detail
