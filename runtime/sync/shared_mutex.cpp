#include <switchyard/shared_mutex.hpp>

#include <mutex>

namespace switchyard {

bool SharedMutex::try_lock() noexcept {
  std::lock_guard lk(lock_);
  if (writer_ || readers_ > 0 || !waiters_.empty()) return false;
  writer_ = true;
  return true;
}

bool SharedMutex::try_lock_shared() noexcept {
  std::lock_guard lk(lock_);
  if (writer_ || !waiters_.empty()) return false;
  ++readers_;
  return true;
}

bool SharedMutex::acquire(bool exclusive, Deadline deadline) {
  std::unique_lock lk(lock_);
  if (waiters_.empty() && !writer_ && (!exclusive || readers_ == 0)) {
    if (exclusive) {
      writer_ = true;
    } else {
      ++readers_;
    }
    return true;
  }
  if (deadline.passed()) return false;
  detail::Sleeper sleeper(WaitCause::lock, name_.stats());
  detail::WaitNode node(sleeper);
  node.tag = exclusive ? 1 : 0;
  const detail::WaitOutcome outcome = detail::wait_in(waiters_, node, lk, deadline.at());
  // Woken means admitted: whoever woke it counted it in.
  if (outcome == detail::WaitOutcome::woken) return true;
  detail::WaitList woken;
  // A writer leaving the front may let the readers behind it in.
  admit(woken);
  lk.unlock();
  detail::wake_all(woken);
  if (outcome == detail::WaitOutcome::cancelled) {
    detail::throw_cancelled(exclusive ? "SharedMutex::lock" : "SharedMutex::lock_shared");
  }
  return false;
}

void SharedMutex::admit(detail::WaitList& woken) noexcept {
  while (detail::WaitNode* n = waiters_.front()) {
    const bool exclusive = n->tag == 1;
    if (writer_ || (exclusive && readers_ > 0)) return;
    waiters_.remove(*n);
    if (!n->sleeper->claim(*n)) continue;  // its wait is ending otherwise
    woken.push_back(*n);
    if (exclusive) {
      writer_ = true;
      return;
    }
    ++readers_;
  }
}

void SharedMutex::release(bool exclusive) noexcept {
  detail::WaitList woken;
  {
    std::lock_guard lk(lock_);
    if (exclusive) {
      writer_ = false;
    } else {
      --readers_;
    }
    admit(woken);
  }
  detail::wake_all(woken);
}

void SharedMutex::unlock() noexcept {
  release(true);
}

void SharedMutex::unlock_shared() noexcept {
  release(false);
}

}  // namespace switchyard
