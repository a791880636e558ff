#include <switchyard/semaphore.hpp>

#include <mutex>
#include <stdexcept>
#include <string>

namespace switchyard {

Semaphore::Semaphore(std::ptrdiff_t permits) : permits_(permits) {
  if (permits < 0) {
    throw std::invalid_argument("switchyard::Semaphore: negative count of permits: " +
                                std::to_string(permits));
  }
}

Semaphore::Semaphore(std::ptrdiff_t permits, std::string_view name) : Semaphore(permits) {
  set_name(name);
}

bool Semaphore::try_acquire() noexcept {
  std::lock_guard lk(lock_);
  if (permits_ == 0) return false;
  --permits_;
  return true;
}

bool Semaphore::try_acquire_until(Deadline deadline) {
  std::unique_lock lk(lock_);
  if (permits_ > 0) {
    --permits_;
    return true;
  }
  if (deadline.passed()) return false;
  return detail::wait_granted(waiters_, lk, deadline.at(), "Semaphore::acquire", name_.stats());
}

void Semaphore::release(std::ptrdiff_t n) {
  if (n < 0) {
    throw std::invalid_argument("switchyard::Semaphore::release: negative count: " +
                                std::to_string(n));
  }
  detail::WaitList woken;
  {
    std::lock_guard lk(lock_);
    if (n > max() - permits_) {
      throw std::overflow_error("switchyard::Semaphore::release: " + std::to_string(n) +
                                " more permits would pass the most it holds (" +
                                std::to_string(permits_) + " held)");
    }
    // Permits go to waiters first: a waiter is only queued while none is free.
    for (; n > 0; --n) {
      detail::WaitNode* w = waiters_.claim_front();
      if (w == nullptr) break;
      woken.push_back(*w);
    }
    permits_ += n;
  }
  detail::wake_all(woken);
}

std::ptrdiff_t Semaphore::available() const noexcept {
  std::lock_guard lk(lock_);
  return permits_;
}

}  // namespace switchyard
