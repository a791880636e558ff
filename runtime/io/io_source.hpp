// IoSource: a file descriptor registered with a reactor, and the tasks waiting on it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <utility>

#include <boost/intrusive/list_hook.hpp>

#include "io/poller.hpp"
#include "task/waiter.hpp"

namespace switchyard::detail {

class Reactor;

// IoSource is registered edge-triggered for both directions, once, for the descriptor's
// life. Each direction has a slot: empty, holding a "ready" token (readiness arrived while
// nobody waited), or holding the one Waiter waiting for it. A caller tries its system call
// first and waits only on EAGAIN; a stale token costs one more EAGAIN, never a lost wake-up
// (the protocol Go's netpoller uses). A socket's reader waits first instead when its last read
// drained the socket (read_drained).
class IoSource {
 public:
  static constexpr std::uintptr_t kEmpty = 0;
  static constexpr std::uintptr_t kReady = 1;

  IoSource(int descriptor, Reactor* home) noexcept : fd(descriptor), reactor(home) {}
  IoSource(const IoSource&) = delete;
  IoSource& operator=(const IoSource&) = delete;

  // signal() records readiness and wakes the waiters it concerns. Called by the reactor.
  void signal(const Readiness& r) noexcept;
  // close_waits() wakes any waiter with Outcome::closed and empties both slots.
  void close_waits() noexcept;

  // wait() suspends the calling task until the direction is ready, `deadline` passes, or
  // the runtime cancels its waits; the deadline timer lives on `timers` (the calling
  // worker's reactor). On a fiber worker only. Returns at once, with `ready`, if readiness
  // arrived since the token was last taken.
  Waiter::Outcome wait(bool for_read, std::chrono::steady_clock::time_point deadline,
                       Reactor& timers) noexcept;

  // wait_before_read() says whether the reading task should wait for readiness before its
  // next read, and forgets the last read's state: true when that read drained the descriptor
  // and no end of stream was reported before it (a report comes with a read token, written
  // even over one already there, which the reader took before that read, or takes next).
  bool wait_before_read() noexcept {
    return std::exchange(read_drained, false) && !read_closed.load(std::memory_order_relaxed);
  }

  const int fd;
  Reactor* reactor;  // where it is registered; nullptr once that reactor is gone
  Waiter::Slot readers{kEmpty};
  Waiter::Slot writers{kEmpty};
  // The last read took all that was queued (a stream read returns everything queued up to its
  // size, so a short one leaves nothing): the next read waits for readiness before it calls,
  // and saves the EAGAIN. Data that comes after the short read brings an edge of its own, so
  // nothing is missed (Tokio's clear-readiness-on-short-read). Only the reading task uses it.
  bool read_drained = false;
  // End of stream, hang-up or error was reported: a short read may have left the end behind
  // with no edge to come, so the reader reads at once (wait_before_read()).
  std::atomic<bool> read_closed{false};
  boost::intrusive::list_member_hook<> registry_hook;  // the reactor's list, under its lock
};

}  // namespace switchyard::detail
