#include "io/io_source.hpp"

#include "io/reactor.hpp"

namespace switchyard::detail {

namespace {

// ready() puts a ready token in `slot`, or wakes the waiter it holds. A token already there
// is written again: whoever takes it then sees what the signal stored before (read_closed),
// which a token left as it was would not publish.
void ready(Waiter::Slot& slot) noexcept {
  std::uintptr_t v = slot.load(std::memory_order_acquire);
  for (;;) {
    const bool waiter = v != IoSource::kEmpty && v != IoSource::kReady;
    const std::uintptr_t next = waiter ? IoSource::kEmpty : IoSource::kReady;
    if (slot.compare_exchange_weak(v, next, std::memory_order_acq_rel)) break;
  }
  if (v != IoSource::kEmpty && v != IoSource::kReady) {
    reinterpret_cast<Waiter*>(v)->wake(Waiter::Outcome::ready);
  }
}

void close_slot(Waiter::Slot& slot) noexcept {
  const std::uintptr_t v = slot.exchange(IoSource::kEmpty, std::memory_order_acq_rel);
  if (v != IoSource::kEmpty && v != IoSource::kReady) {
    reinterpret_cast<Waiter*>(v)->wake(Waiter::Outcome::closed);
  }
}

}  // namespace

void IoSource::signal(const Readiness& r) noexcept {
  if (r.closed) read_closed.store(true, std::memory_order_relaxed);  // published by ready(readers)
  if (r.readable) ready(readers);
  if (r.writable) ready(writers);
}

void IoSource::close_waits() noexcept {
  close_slot(readers);
  close_slot(writers);
}

Waiter::Outcome IoSource::wait(bool for_read, std::chrono::steady_clock::time_point deadline,
                               Reactor& timers) noexcept {
  Waiter::Slot& slot = for_read ? readers : writers;
  std::uintptr_t token = kReady;
  if (slot.compare_exchange_strong(token, kEmpty, std::memory_order_acq_rel)) {
    return timers.cancelled() ? Waiter::Outcome::cancelled : Waiter::Outcome::ready;
  }
  if (deadline != std::chrono::steady_clock::time_point::max() &&
      deadline <= std::chrono::steady_clock::now()) {
    return Waiter::Outcome::timeout;  // no clock read for a wait without a deadline
  }
  Waiter w(boost::fibers::context::active(), deadline, &slot, WaitCause::io);
  std::uintptr_t expected = kEmpty;
  if (!slot.compare_exchange_strong(expected, reinterpret_cast<std::uintptr_t>(&w),
                                    std::memory_order_acq_rel)) {
    // Readiness arrived meanwhile (a second waiter in one direction is a caller's bug that
    // the caller rules out).
    slot.store(kEmpty, std::memory_order_release);
    return timers.cancelled() ? Waiter::Outcome::cancelled : Waiter::Outcome::ready;
  }
  // Published: readiness may end the wait from here on.
  return timers.park(w);
}

}  // namespace switchyard::detail
