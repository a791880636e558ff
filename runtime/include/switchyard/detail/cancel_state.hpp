// detail::CancelState: one task's cancellation: whether it was asked for, and how to end the
// wait the task is in when it is.
#pragma once

#include <atomic>
#include <mutex>

#include <switchyard/detail/spinlock.hpp>

namespace switchyard::detail {

// CancelState lives in the task's body, which the task's Future and the runtime both hold, so
// a canceller holding the future always finds it alive. Cancelling sets a flag that every
// Switchyard wait of the task looks at before it parks, then calls the interrupt that the wait
// the task is in (if any) registered: it claims that wait and ends it as cancelled. The lock
// keeps the wait's registration alive while the interrupt runs: the task takes it to leave the
// wait, so the wait's state (on the task's stack) outlives any interrupt in progress.
class CancelState {
 public:
  using Interrupt = void (*)(void*) noexcept;

  // request() asks for cancellation. Returns true if the task had not started: it never will,
  // and the caller may resolve its future now. Any thread; idempotent.
  bool request() noexcept {
    requested_.store(true, std::memory_order_seq_cst);
    {
      std::lock_guard lk(lock_);
      if (interrupt_ != nullptr) interrupt_(arg_);
    }
    return !started_.load(std::memory_order_seq_cst);
  }
  // requested() says whether cancellation was asked for. Any thread.
  bool requested() const noexcept { return requested_.load(std::memory_order_seq_cst); }
  // start() marks the task as started; false if it was cancelled first (it must not run). By
  // the runtime, once, as the task is about to run.
  bool start() noexcept {
    started_.store(true, std::memory_order_seq_cst);
    return !requested_.load(std::memory_order_seq_cst);
  }

  // deliverable() says whether the task's waits end in cancellation now: requested, and not
  // shielded. On the task only.
  bool deliverable() const noexcept { return shield_ == 0 && requested(); }
  // enter() registers `interrupt(arg)` as the way to end the task's current wait; false, and
  // nothing registered, while shielded (the wait must then not end in cancellation). The
  // wait must look at deliverable() again after enter() and before it parks where the
  // interrupt can find it. On the task only.
  bool enter(Interrupt interrupt, void* arg) noexcept {
    if (shield_ != 0) return false;
    std::lock_guard lk(lock_);
    interrupt_ = interrupt;
    arg_ = arg;
    return true;
  }
  // keep() registers `interrupt(arg)` as enter() does, unless it is registered already, and
  // leaves it registered after the wait: until the task's next enter() or its end(). A kind
  // of wait that finds the task's current wait itself (Reactor::park) so takes the lock once,
  // not twice per wait. False while shielded, as enter(). On the task only.
  bool keep(Interrupt interrupt, void* arg) noexcept {
    if (shield_ != 0) return false;
    // Only the task writes these: it may read them without the lock.
    if (interrupt_ != interrupt || arg_ != arg) enter(interrupt, arg);
    return true;
  }
  // leave() undoes enter(); the wait's state may go once it returns. On the task only.
  void leave() noexcept {
    std::lock_guard lk(lock_);
    interrupt_ = nullptr;
  }
  // end() undoes what keep() left registered, as the task ends. On the task only.
  void end() noexcept {
    if (interrupt_ != nullptr) leave();
  }
  // shield() and unshield() bracket waits that cancellation must not end (a group waiting for
  // its children as it unwinds). On the task only; they nest.
  void shield() noexcept { ++shield_; }
  void unshield() noexcept { --shield_; }

 private:
  std::atomic<bool> requested_{false};
  std::atomic<bool> started_{false};
  Spinlock lock_;
  Interrupt interrupt_ = nullptr;  // lock_
  void* arg_ = nullptr;            // lock_
  int shield_ = 0;                 // the task's own
};

// current_cancel_state() is the calling task's CancelState; nullptr outside a task.
CancelState* current_cancel_state() noexcept;

// cancel_reason() says why the calling task's wait was cancelled: the task was cancelled, or
// its runtime is shutting down.
const char* cancel_reason() noexcept;

// CancelRegistration registers an interrupt with the calling task, if it is one and is not
// shielded, for the length of one wait.
class CancelRegistration {
 public:
  CancelRegistration(CancelState::Interrupt interrupt, void* arg) noexcept
      : CancelRegistration(current_cancel_state(), interrupt, arg) {}
  // CancelRegistration(state, ...) registers with `state`, the calling task's (or nullptr).
  CancelRegistration(CancelState* state, CancelState::Interrupt interrupt, void* arg) noexcept
      : state_(state) {
    if (state_ != nullptr && !state_->enter(interrupt, arg)) state_ = nullptr;
  }
  ~CancelRegistration() {
    if (state_ != nullptr) state_->leave();
  }
  CancelRegistration(const CancelRegistration&) = delete;
  CancelRegistration& operator=(const CancelRegistration&) = delete;

  // cancelled() says whether the wait must end in cancellation.
  bool cancelled() const noexcept { return state_ != nullptr && state_->deliverable(); }

 private:
  CancelState* state_;
};

}  // namespace switchyard::detail
