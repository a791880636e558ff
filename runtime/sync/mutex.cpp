#include <switchyard/mutex.hpp>

#include <limits>
#include <mutex>

#include "core/clock.hpp"

namespace switchyard {

namespace {
// A waiter that has waited this long, and was woken once and lost the race since, is handed
// the mutex instead of competing for it. Only one that lost: were every waiter of a long queue
// handed the mutex in turn, each increment of a busy counter would cost two task switches
// (the holder cannot go on), the queue would never shorten below 1 ms, and the mutex would
// never leave the convoy (1,000 tasks x 1,000 increments: 0.02 s, or 1 to 7 s once in it).
constexpr std::int64_t kStarvingNs = 1'000'000;
// How often lock() tries again before it waits: a holder on another thread usually lets go
// within a few hundred nanoseconds, far sooner than a suspension and a wake-up.
constexpr int kSpins = 64;
// What a woken waiter was told (WaitNode::signal).
enum Signal : std::uint32_t { kCompete = 0, kHanded = 1 };
}  // namespace

bool Mutex::lock_slow(Deadline deadline) {
  for (int i = 0; i < kSpins; ++i) {
    __builtin_ia32_pause();
    if ((state_.load(std::memory_order_relaxed) & kLocked) == 0 && try_lock()) return true;
  }
  const std::int64_t since = detail::steady_ns();
  bool woken_before = false;
  detail::WaitRecord record;  // one wait, however often it is woken and loses the race
  for (;;) {
    if (deadline.passed()) return false;
    detail::Sleeper sleeper(WaitCause::lock);
    detail::WaitNode node(sleeper);
    node.since_ns = woken_before ? since : std::numeric_limits<std::int64_t>::max();
    std::unique_lock lk(lock_);
    // Announce the waiter before the last try, so that an unlock() either sees it or leaves
    // the mutex free for that try.
    state_.fetch_or(kWaiters, std::memory_order_relaxed);
    if (try_lock()) {
      if (waiters_.empty()) state_.fetch_and(~kWaiters, std::memory_order_relaxed);
      return true;
    }
    // A waiter that lost the race after a wake-up keeps its place at the front.
    record.start(name_.stats());
    const detail::WaitOutcome outcome =
        detail::wait_in(waiters_, node, lk, deadline.at(), woken_before);
    if (outcome == detail::WaitOutcome::woken) {
      if (node.signal == kHanded) return true;
      woken_before = true;
      continue;
    }
    if (waiters_.empty()) state_.fetch_and(~kWaiters, std::memory_order_relaxed);
    lk.unlock();
    if (outcome == detail::WaitOutcome::cancelled) detail::throw_cancelled("Mutex::lock");
    return false;
  }
}

void Mutex::unlock_slow() noexcept {
  std::unique_lock lk(lock_);
  detail::WaitNode* next = waiters_.claim_front();
  if (waiters_.empty()) state_.fetch_and(~kWaiters, std::memory_order_relaxed);
  if (next != nullptr && detail::steady_ns() - kStarvingNs >= next->since_ns) {
    next->signal = kHanded;  // it stays locked, now by the waiter
  } else {
    state_.fetch_and(~kLocked, std::memory_order_release);
  }
  lk.unlock();
  if (next != nullptr) next->sleeper->wake();
}

}  // namespace switchyard
