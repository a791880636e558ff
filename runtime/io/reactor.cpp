#include "io/reactor.hpp"

#include <cerrno>
#include <system_error>

#include <switchyard/detail/cancel_state.hpp>

#include "core/clock.hpp"
#include "task/task.hpp"

namespace switchyard::detail {

namespace {

// A busy owner polls at least this often (when its picks let it look).
constexpr std::int64_t kPollEveryNs = 250'000;
// A wait whose deadline is further away than this goes in the unordered far_ list.
constexpr std::int64_t kFarNs = 1'000'000'000;

std::int64_t ns_of(std::chrono::steady_clock::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

Reactor::Reactor(const CancelSignal& cancel) : cancel_(cancel), poller_(make_epoll_poller()) {
  // The waits armed before the first poll take their distance from here.
  last_poll_ns_.store(steady_ns(), std::memory_order_relaxed);
}

Reactor::~Reactor() {
  std::lock_guard lk(mutex_);
  retired_.clear_and_dispose([](IoSource* s) { delete s; });
  // Sockets that outlive their runtime register again when they next wait.
  sources_.clear_and_dispose([](IoSource* s) { s->reactor = nullptr; });
}

IoSource* Reactor::add(int fd) {
  auto* source = new IoSource(fd, this);
  if (const int err = poller_->register_fd(fd, source); err != 0) {
    delete source;
    throw std::system_error(err, std::generic_category());
  }
  std::lock_guard lk(mutex_);
  sources_.push_back(*source);
  return source;
}

void Reactor::remove(IoSource* source) noexcept {
  poller_->deregister_fd(source->fd);
  source->close_waits();
  std::lock_guard lk(mutex_);
  sources_.erase(sources_.iterator_to(*source));
  retired_.push_back(*source);
}

Waiter::Outcome Reactor::park(Waiter& w) noexcept {
  Task& task = w.task();
  CancelState& state = task.body->cancellation;
  // The task's cancellation finds the wait through `reactor_wait`, by an interrupt it
  // registers once (not once per wait), and looks for it here: publish `home` before the
  // flag is read below (both sequentially consistent), so that a canceller either raised the
  // flag first or reads this reactor.
  ReactorWait& parked = task.reactor_wait;
  if (parked.home.load(std::memory_order_relaxed) != this) {
    parked.home.store(this, std::memory_order_seq_cst);
  }
  const bool cancellable = state.keep(&Reactor::interrupt, &task);
  const auto cancelled = [&] { return cancellable && state.deliverable(); };
  // Checked under the list's lock, which cancel_all() and cancel_parked() take after their
  // flag is raised: either this wait is armed before they look, or it sees the flag.
  const auto open = [&] { return !cancel_.raised() && !cancelled(); };
  const auto publish = [&] {
    if (!cancellable) return;
    parked.waiter = &w;
    parked.armed_in.store(this, std::memory_order_relaxed);
  };
  bool armed = false;
  if (w.deadline() == time_point::max()) {
    std::lock_guard lk(untimed_lock_);
    if (open()) {
      untimed_.push_back(w);
      publish();
      armed = true;
    }
  } else {
    std::lock_guard lk(mutex_);
    if (open()) {
      // The last poll's time is early enough: a deadline it takes for distant is tracked by
      // far_due_ all the same, only sorted sooner. While the owner sleeps it can be stale by
      // the whole sleep (a pool task arming here): then read the clock.
      const std::int64_t now_ns = sleeping_.load(std::memory_order_relaxed)
                                      ? steady_ns()
                                      : last_poll_ns_.load(std::memory_order_relaxed);
      if (ns_of(w.deadline()) > now_ns + kFarNs) {
        far_.push_back(w);
        far_due_ = std::min(far_due_, w.deadline());
      } else {
        deadlines_.insert(w);
      }
      publish();
      note_first_deadline();
      // Only a wait armed from another thread can be earlier than the owner's sleep.
      if (w.deadline() < sleeping_until_) wake();
      armed = true;
    }
  }
  // Not armed: take the waiter back, unless another party claimed it first and will wake it.
  if (!armed && w.claim()) return Waiter::Outcome::cancelled;
  const Waiter::Outcome outcome = w.park();
  disarm(w, parked);
  return cancel_.raised() || cancelled() ? Waiter::Outcome::cancelled : outcome;
}

void Reactor::disarm(Waiter& w, ReactorWait& parked) noexcept {
  const auto unlink_here = [&] {
    parked.armed_in.store(nullptr, std::memory_order_relaxed);
    unlink(w);
  };
  if (w.deadline() == time_point::max()) {
    std::lock_guard lk(untimed_lock_);
    unlink_here();
  } else {
    std::lock_guard lk(mutex_);
    unlink_here();
  }
}

bool Reactor::unlink(Waiter& w) noexcept {
  if (w.list_hook.is_linked()) {
    (w.deadline() == time_point::max() ? untimed_ : far_).erase(Unordered::s_iterator_to(w));
    return true;
  }
  if (!w.timer_hook.is_linked()) return false;
  deadlines_.erase(deadlines_.iterator_to(w));
  note_first_deadline();
  return true;
}

void Reactor::interrupt(void* task) noexcept {
  ReactorWait& parked = static_cast<Task*>(task)->reactor_wait;
  if (Reactor* home = parked.home.load(std::memory_order_seq_cst)) home->cancel_parked(parked);
}

void Reactor::cancel_parked(ReactorWait& parked) noexcept {
  Waiter* claimed = nullptr;
  {
    // Both list locks: the task arms and disarms under one of them, so while they are held
    // and it is armed here, it stays parked in `waiter`.
    std::lock_guard lk(mutex_);
    std::lock_guard ul(untimed_lock_);
    if (parked.armed_in.load(std::memory_order_relaxed) != this) return;
    Waiter& w = *parked.waiter;
    // Claimed under the locks: no other party can then wake the task, which stays parked in
    // `w` until the wake below.
    if (unlink(w) && w.claim()) claimed = &w;
  }
  if (claimed != nullptr) claimed->wake(Waiter::Outcome::cancelled);
}

void Reactor::cancel_all() noexcept {
  const auto cancel = [](Waiter* w) {
    if (w->claim()) w->wake(Waiter::Outcome::cancelled);
  };
  {
    std::lock_guard lk(mutex_);
    deadlines_.clear_and_dispose(cancel);
    far_.clear_and_dispose(cancel);
    far_due_ = time_point::max();
    note_first_deadline();
  }
  std::lock_guard lk(untimed_lock_);
  untimed_.clear_and_dispose(cancel);
}

void Reactor::poll(time_point until) noexcept {
  std::lock_guard pl(poll_mutex_);
  poll_locked(until);
}

void Reactor::try_poll() noexcept {
  std::unique_lock pl(poll_mutex_, std::try_to_lock);
  if (pl.owns_lock()) poll_locked(time_point::min());
}

bool Reactor::due(std::int64_t now_ns) const noexcept {
  return now_ns >= first_deadline_ns_.load(std::memory_order_relaxed) ||
         now_ns - last_poll_ns_.load(std::memory_order_relaxed) >= kPollEveryNs;
}

void Reactor::wake() noexcept {
  notified_.store(true, std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_seq_cst)) poller_->wake();
}

void Reactor::poll_locked(time_point until) noexcept {
  auto now = std::chrono::steady_clock::now();
  bool sleep = until > now;
  {
    std::lock_guard lk(mutex_);
    retired_.clear_and_dispose([](IoSource* s) { delete s; });
    if (!deadlines_.empty()) until = std::min(until, deadlines_.begin()->deadline());
    until = std::min(until, far_due_);
    sleep = sleep && until > now;
    sleeping_until_ = sleep ? until : time_point::min();
  }
  std::chrono::nanoseconds timeout{0};
  if (sleep) {
    // Announce the sleep before the last look at notified_; wake() does the reverse.
    sleeping_.store(true, std::memory_order_seq_cst);
    if (!notified_.exchange(false, std::memory_order_seq_cst)) {
      timeout = until == time_point::max() ? std::chrono::nanoseconds::max() : until - now;
    }
  }
  const std::size_t n = poller_->wait(ready_.data(), ready_.size(), timeout);
  if (sleep) {
    sleeping_.store(false, std::memory_order_relaxed);
    notified_.store(false, std::memory_order_relaxed);
  }
  for (std::size_t i = 0; i < n; ++i) {
    static_cast<IoSource*>(ready_[i].token)->signal(ready_[i]);
  }
  now = std::chrono::steady_clock::now();
  std::lock_guard lk(mutex_);
  sleeping_until_ = time_point::min();
  expire(now);
  last_poll_ns_.store(ns_of(now), std::memory_order_relaxed);
}

void Reactor::expire(time_point now) noexcept {
  if (now >= far_due_) sort_far(now);
  while (!deadlines_.empty() && deadlines_.begin()->deadline() <= now) {
    Waiter& w = *deadlines_.begin();
    deadlines_.erase(deadlines_.begin());
    if (w.claim()) w.wake(Waiter::Outcome::timeout);
  }
  note_first_deadline();
}

void Reactor::sort_far(time_point now) noexcept {
  far_due_ = time_point::max();
  for (auto it = far_.begin(); it != far_.end();) {
    Waiter& w = *it;
    if (w.deadline() > now + std::chrono::nanoseconds(kFarNs)) {
      far_due_ = std::min(far_due_, w.deadline());
      ++it;
      continue;
    }
    it = far_.erase(it);
    deadlines_.insert(w);  // expire() times it out if it is due
  }
}

void Reactor::note_first_deadline() noexcept {
  const time_point first =
      deadlines_.empty() ? far_due_ : std::min(far_due_, deadlines_.begin()->deadline());
  first_deadline_ns_.store(first == time_point::max() ? INT64_MAX : ns_of(first),
                           std::memory_order_relaxed);
}

}  // namespace switchyard::detail
