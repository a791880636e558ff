#include <switchyard/condition_variable.hpp>

#include <mutex>

namespace switchyard {

void ConditionVariable::notify_one() noexcept {
  std::unique_lock lk(lock_);
  detail::WaitNode* n = waiters_.claim_front();
  lk.unlock();
  if (n != nullptr) n->sleeper->wake();
}

void ConditionVariable::notify_all() noexcept {
  detail::WaitList woken;
  {
    std::lock_guard lk(lock_);
    while (detail::WaitNode* n = waiters_.claim_front()) woken.push_back(*n);
  }
  detail::wake_all(woken);
}

detail::WaitOutcome ConditionVariable::park(Deadline deadline, void (*unlock)(void*), void* lock) {
  detail::Sleeper sleeper(WaitCause::lock, name_.stats());
  detail::WaitNode node(sleeper);
  std::unique_lock lk(lock_);
  waiters_.push_back(node);
  // The caller's lock is released only once the waiter is queued, so a notification sent
  // after it finds the waiter.
  const detail::WaitOutcome outcome = detail::wait_as(sleeper, deadline.at(), [&] {
    lk.unlock();
    unlock(lock);
  });
  if (outcome != detail::WaitOutcome::woken) {
    lk.lock();
    if (node.linked) waiters_.remove(node);
  }
  return outcome;
}

}  // namespace switchyard
