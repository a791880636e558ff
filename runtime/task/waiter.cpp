#include "task/waiter.hpp"

#include "core/runtime_core.hpp"
#include "task/task.hpp"

namespace switchyard::detail {

void Waiter::wake(Outcome outcome) noexcept {
  outcome_ = outcome;
  // Whichever of wake() and parked() comes second queues the task.
  if (phase_.exchange(woken, std::memory_order_acq_rel) == parked_now) {
    Task::of(ctx_)->runtime.make_ready(ctx_);
  }
}

void Waiter::parked() noexcept {
  if (phase_.exchange(parked_now, std::memory_order_acq_rel) == woken) {
    Task::of(ctx_)->runtime.make_ready(ctx_);
  }
}

Task& Waiter::task() const noexcept {
  return *Task::of(ctx_);
}

Waiter::Outcome Waiter::park() noexcept {
  Task::of(ctx_)->park(this, cause_);
  // The scheduling algorithm sees the parking task in awakened(), detaches it and calls
  // parked(); it resumes here, on whichever thread picked it up, once woken.
  ctx_->yield();
  return outcome_;
}

}  // namespace switchyard::detail
