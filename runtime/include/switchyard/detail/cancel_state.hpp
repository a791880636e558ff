// detail::CancelState: one task's cancellation: whether it was asked for, and how to end the
// wait the task is in when it is.
#pragma once

#include <atomic>
#include <mutex>

#include <switchyard/detail/spinlock.hpp>

namespace switchyard::detail {

class CancelState;

// CancelCallback is a call that a task's CancelState makes once, when the task is cancelled:
// how a group made in the task cancels its children at once, whatever the task is doing. Its
// subscriber owns it and keeps the state alive while it is subscribed.
class CancelCallback {
 public:
  using Notify = void (*)(void*) noexcept;

  CancelCallback(Notify notify, void* arg) noexcept : notify_(notify), arg_(arg) {}
  CancelCallback(const CancelCallback&) = delete;
  CancelCallback& operator=(const CancelCallback&) = delete;

 private:
  friend class CancelState;

  Notify notify_;
  void* arg_;
  CancelState* state_ = nullptr;
  CancelCallback* prev_ = nullptr;  // state_->lock_, while linked
  CancelCallback* next_ = nullptr;  // state_->lock_; the canceller's, once claimed
  bool linked_ = false;             // state_->lock_
  bool running_ = false;            // state_->lock_: claimed by a canceller, not yet done
};

// CancelState lives in the task's body, which the task's Future and the runtime both hold, so
// a canceller holding the future always finds it alive. Cancelling sets a flag that every
// Switchyard wait of the task looks at before it parks, then calls the interrupt that the wait
// the task is in (if any) registered: it claims that wait and ends it as cancelled. The lock
// keeps a registration alive while its interrupt runs (the task takes it to leave, or end()), and
// a reactor wait's state is kept alive by its reactor's locks (Reactor::interrupt). Then it
// makes the subscribed callbacks' calls, without the lock (a call cancels other tasks, whose
// own callbacks the same canceller then calls: one after another, never nested, so groups
// nested to any depth cost the canceller no stack).
class CancelState {
 public:
  using Interrupt = void (*)(void*) noexcept;

  // request() asks for cancellation. Returns true if the task had not started: it never will,
  // and the caller may resolve its future now. Any thread; idempotent. The first request makes
  // every subscribed callback's call before it returns (a request made at the same time on
  // another thread may return first).
  bool request() noexcept;
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

  // subscribe() links `callback`, to be called when cancellation is requested; false, linking
  // nothing, if it already was. Any thread.
  bool subscribe(CancelCallback& callback) noexcept;
  // unsubscribe() unlinks `callback`. Once it returns the callback's call is not running and
  // never will: a call in progress is waited for (it takes microseconds). Any thread but the
  // one making the call.
  void unsubscribe(CancelCallback& callback) noexcept;

 private:
  // claim() takes the callbacks off the list as the canceller's, still to be called.
  CancelCallback* claim() noexcept;
  // called() says that `callback`'s call is done: its subscriber may let it go.
  static void called(CancelCallback& callback) noexcept;

  std::atomic<bool> requested_{false};
  std::atomic<bool> started_{false};
  Spinlock lock_;
  Interrupt interrupt_ = nullptr;        // lock_
  void* arg_ = nullptr;                  // lock_
  CancelCallback* callbacks_ = nullptr;  // lock_
  int shield_ = 0;                       // the task's own
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
