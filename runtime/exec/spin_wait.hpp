// spin_wait(): a short busy wait before a thread goes to sleep.
#pragma once

#include <sched.h>

#include <algorithm>
#include <chrono>

namespace switchyard::detail {

// kSpinBeforeSleep is how long an idle worker keeps looking for work before it sleeps: work
// handed over right after it went idle (a caller submitting tasks one after another, a child
// finishing just after its parent's worker ran dry) finds it awake, and waking a sleeping
// thread costs tens of microseconds on a VM, several times the hand-off itself.
inline constexpr std::chrono::microseconds kSpinBeforeSleep{20};

// spin_wait() spins until `done()` or kSpinBeforeSleep has passed (or `deadline`, if
// sooner); returns whether `done()` became true. `done` must be cheap: a few atomic loads.
// Every 256 turns (a few microseconds) it offers its CPU to any other runnable thread
// (sched_yield returns at once when there is none): a spin must not hold a core that a busy
// thread of the same machine is waiting for. An echo server spinning beside its clients on two
// cores took half its user time spinning, and served 89-107k requests/s instead of 148-167k.
// Not more often: a yield is a system call, and a spin slowed by one every 64 turns answered
// hand-offs late enough to slow a contended Mutex by a third.
template <class Done>
bool spin_wait(Done&& done, std::chrono::steady_clock::time_point deadline) {
  const auto until = std::min(deadline, std::chrono::steady_clock::now() + kSpinBeforeSleep);
  for (unsigned i = 1;; ++i) {
    if (done()) return true;
    __builtin_ia32_pause();
    if (i % 64 == 0 && std::chrono::steady_clock::now() >= until) return false;
    if (i % 256 == 0) sched_yield();
  }
}

}  // namespace switchyard::detail
