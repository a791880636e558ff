// Waiter: one task suspended in a Switchyard wait (I/O readiness, a timer), detached from
// every thread while it waits.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include <boost/fiber/context.hpp>
#include <boost/intrusive/list_hook.hpp>
#include <boost/intrusive/set_hook.hpp>

#include <switchyard/wait_cause.hpp>

namespace switchyard::detail {

class Task;

// A Waiter lives on its task's stack for the length of one wait. The task parks: it yields,
// and the scheduling algorithm detaches its context from the thread (see park()), so whoever
// ends the wait can queue it on any executor, and a blocked or busy thread never strands it.
//
// Several parties may end a wait: the I/O source's readiness, the timer, the runtime's
// cancellation. Exactly one wins, by claiming the waiter: an I/O wait publishes the waiter in
// its source's slot, and a claimant takes it out with a compare-and-swap; a wait with no I/O
// source is claimed under the reactor lock that holds its timer. The winner calls wake(), the
// only call that touches the waiter from another thread, and touches it no more once it has
// queued the task.
class Waiter {
 public:
  enum class Outcome : std::uint8_t { ready, timeout, cancelled, closed };
  using Slot = std::atomic<std::uintptr_t>;

  // Waiter() is a wait for `cause`, which the task's measurement files its time under.
  Waiter(boost::fibers::context* ctx, std::chrono::steady_clock::time_point deadline, Slot* slot,
         WaitCause cause) noexcept
      : ctx_(ctx), deadline_(deadline), slot_(slot), cause_(cause) {}
  Waiter(const Waiter&) = delete;
  Waiter& operator=(const Waiter&) = delete;

  // claim() takes the right to wake this waiter away from its I/O source; always true for a
  // wait with no I/O source (its claimants hold the reactor lock).
  bool claim() noexcept {
    if (slot_ == nullptr) return true;
    auto self = reinterpret_cast<std::uintptr_t>(this);
    return slot_->compare_exchange_strong(self, 0, std::memory_order_acq_rel);
  }
  // wake() ends the wait with `outcome`; only the party that claimed it calls it. Any thread.
  void wake(Outcome outcome) noexcept;
  // parked() is called by the scheduling algorithm once the waiting task's context has
  // switched away and been detached; queues it if the wait already ended.
  void parked() noexcept;
  // park() suspends the calling task until wake(); returns the outcome. Call on a fiber worker
  // once the waiter is published wherever it can be woken from.
  Outcome park() noexcept;

  std::chrono::steady_clock::time_point deadline() const noexcept { return deadline_; }
  // task() is the waiting task.
  Task& task() const noexcept;

  // Link a waiter into one of its reactor's collections of armed waits (Reactor): a near
  // deadline's into the deadline order; a distant deadline's, or one without a deadline, into
  // an unordered list.
  boost::intrusive::set_member_hook<> timer_hook;
  boost::intrusive::list_member_hook<> list_hook;

 private:
  enum Phase : std::uint8_t { running, parked_now, woken };

  boost::fibers::context* const ctx_;
  const std::chrono::steady_clock::time_point deadline_;
  Slot* const slot_;
  const WaitCause cause_;
  Outcome outcome_ = Outcome::ready;
  std::atomic<std::uint8_t> phase_{running};
};

}  // namespace switchyard::detail
