#include <switchyard/latch.hpp>

#include <mutex>
#include <stdexcept>
#include <string>

namespace switchyard {

Latch::Latch(std::ptrdiff_t count) : count_(count) {
  if (count < 0) {
    throw std::invalid_argument("switchyard::Latch: negative count: " + std::to_string(count));
  }
}

Latch::Latch(std::ptrdiff_t count, std::string_view name) : Latch(count) {
  set_name(name);
}

void Latch::count_down(std::ptrdiff_t n) {
  detail::WaitList woken;
  {
    std::lock_guard lk(lock_);
    if (n < 0 || n > count_) {
      throw std::invalid_argument("switchyard::Latch::count_down: cannot count down by " +
                                  std::to_string(n) + " with " + std::to_string(count_) + " left");
    }
    count_ -= n;
    if (count_ == 0) {
      while (detail::WaitNode* w = waiters_.claim_front()) woken.push_back(*w);
    }
  }
  detail::wake_all(woken);
}

bool Latch::try_wait() const noexcept {
  std::lock_guard lk(lock_);
  return count_ == 0;
}

bool Latch::wait_until(Deadline deadline) const {
  std::unique_lock lk(lock_);
  if (count_ == 0) return true;
  if (deadline.passed()) return false;
  return detail::wait_granted(waiters_, lk, deadline.at(), "Latch::wait", name_.stats());
}

}  // namespace switchyard
