// CancelState's callbacks: subscribing to a task's cancellation, and the calls it makes.
#include <switchyard/detail/cancel_state.hpp>

#include <sched.h>

#include <utility>

namespace switchyard::detail {

namespace {

// Calls is the calling thread's claimed callbacks, still to be called. A call cancels other
// tasks, whose callbacks their requests claim and add here: the thread's outermost request
// calls them all, one after another, however deep the groups nest.
struct Calls {
  CancelCallback* head = nullptr;
  CancelCallback* tail = nullptr;
  bool calling = false;
};

thread_local Calls calls;

}  // namespace

bool CancelState::request() noexcept {
  requested_.store(true, std::memory_order_seq_cst);
  CancelCallback* claimed = nullptr;
  {
    std::lock_guard lk(lock_);
    if (interrupt_ != nullptr) interrupt_(arg_);
    claimed = claim();
  }
  const bool unstarted = !started_.load(std::memory_order_seq_cst);
  if (claimed != nullptr) {
    (calls.tail != nullptr ? calls.tail->next_ : calls.head) = claimed;
    while (claimed->next_ != nullptr) claimed = claimed->next_;
    calls.tail = claimed;
  }
  if (calls.calling) return unstarted;
  // The calls never suspend: no other task's request on this thread comes between them.
  calls.calling = true;
  while (CancelCallback* c = calls.head) {
    calls.head = c->next_;
    if (calls.head == nullptr) calls.tail = nullptr;
    c->notify_(c->arg_);
    called(*c);
  }
  calls.calling = false;
  return unstarted;
}

CancelCallback* CancelState::claim() noexcept {
  for (CancelCallback* c = callbacks_; c != nullptr; c = c->next_) {
    c->linked_ = false;
    c->running_ = true;
  }
  return std::exchange(callbacks_, nullptr);
}

void CancelState::called(CancelCallback& callback) noexcept {
  // The last touch: once the lock is free, the subscriber may let the callback and the state go.
  std::lock_guard lk(callback.state_->lock_);
  callback.running_ = false;
}

bool CancelState::subscribe(CancelCallback& callback) noexcept {
  std::lock_guard lk(lock_);
  if (requested()) return false;
  callback.state_ = this;
  callback.prev_ = nullptr;
  callback.next_ = callbacks_;
  if (callbacks_ != nullptr) callbacks_->prev_ = &callback;
  callbacks_ = &callback;
  callback.linked_ = true;
  return true;
}

void CancelState::unsubscribe(CancelCallback& callback) noexcept {
  for (;;) {
    {
      std::lock_guard lk(lock_);
      if (callback.linked_) {
        (callback.prev_ != nullptr ? callback.prev_->next_ : callbacks_) = callback.next_;
        if (callback.next_ != nullptr) callback.next_->prev_ = callback.prev_;
        callback.linked_ = false;
        return;
      }
      if (!callback.running_) return;
    }
    // Claimed by a canceller on another thread, whose call is under way.
    sched_yield();
  }
}

}  // namespace switchyard::detail
