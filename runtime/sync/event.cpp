#include <switchyard/event.hpp>

#include <mutex>

namespace switchyard {

void Event::set() noexcept {
  detail::WaitList woken;
  {
    std::lock_guard lk(lock_);
    if (mode_ == Mode::manual) {
      set_ = true;
      while (detail::WaitNode* w = waiters_.claim_front()) woken.push_back(*w);
    } else if (detail::WaitNode* w = waiters_.claim_front()) {
      woken.push_back(*w);  // it passes the event, which stays clear
    } else {
      set_ = true;
    }
  }
  detail::wake_all(woken);
}

void Event::reset() noexcept {
  std::lock_guard lk(lock_);
  set_ = false;
}

bool Event::is_set() const noexcept {
  std::lock_guard lk(lock_);
  return set_;
}

bool Event::try_wait() noexcept {
  std::lock_guard lk(lock_);
  if (!set_) return false;
  if (mode_ == Mode::automatic) set_ = false;
  return true;
}

bool Event::wait_until(Deadline deadline) {
  std::unique_lock lk(lock_);
  if (set_) {
    if (mode_ == Mode::automatic) set_ = false;
    return true;
  }
  if (deadline.passed()) return false;
  return detail::wait_granted(waiters_, lk, deadline.at(), "Event::wait", name_.stats());
}

}  // namespace switchyard
