// Reactor: where a fiber worker waits for I/O readiness and timers when it has nothing to run.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>

#include <boost/intrusive/list.hpp>
#include <boost/intrusive/set.hpp>

#include "exec/spinlock.hpp"
#include "io/io_source.hpp"
#include "io/poller.hpp"
#include "io/reactor_wait.hpp"
#include "task/cancel_signal.hpp"
#include "task/waiter.hpp"

namespace switchyard::detail {

// Reactor pairs a Poller with the deadlines of the waits armed on it. Its owner (the fiber
// worker holding its Processor) sleeps in poll() when idle and polls it without sleeping
// every few picks when busy; the monitor polls it when the owner has not for a while. Only
// one thread polls at a time (poll lock); the waits with a deadline, the registry of sources
// and the retired list are guarded by a second lock that polling never holds while it waits.
// Waits with a near deadline are kept in deadline order, those with a distant one unordered
// (see far_); the many without one (a server's idle connections, a task's channel and lock
// waits) in a list under a spinlock of its own, so arming and ending one costs O(1) and no
// mutex.
class Reactor {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  // Throws std::system_error when the kernel refuses the poller's descriptors. `cancel` is the
  // runtime's, and outlives the reactor.
  explicit Reactor(const CancelSignal& cancel);
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // add() registers `fd`. Throws std::system_error (EEXIST, EPERM for regular files, ...).
  IoSource* add(int fd);
  // remove() deregisters `source`, wakes its waiters with Outcome::closed, and frees it once no
  // poll can still report it. Any thread.
  void remove(IoSource* source) noexcept;

  // park() suspends the calling task in `w`, already published wherever else its wait can
  // end, with `w`'s deadline (time_point::max() for none) armed here so that poll() times it
  // out and cancel_all() finds it. Once the runtime cancels, every wait ends in
  // Outcome::cancelled whatever ended it (so does every wait of a task that was cancelled on
  // its own, once it has been): reactors are cancelled one after another, and
  // readiness that tasks already unwinding cause (their sockets closing) must not let another
  // task carry on. On a fiber worker.
  Waiter::Outcome park(Waiter& w) noexcept;
  // interrupt() ends the wait the task `task` (a Task*) is parked in as cancelled, if it is a
  // reactor wait: the task was cancelled on its own. Registered with the task's CancelState
  // by park(), which the task's cancellation calls with its lock held; any thread.
  static void interrupt(void* task) noexcept;
  // cancel_all() wakes every armed waiter with Outcome::cancelled. Call once the runtime's
  // CancelSignal is raised: from then on park() arms nothing.
  void cancel_all() noexcept;
  // cancelled() says whether the runtime has cancelled its waits.
  bool cancelled() const noexcept { return cancel_.raised(); }

  // poll() collects readiness and expired deadlines, waking their waiters; it sleeps until
  // `until` (or the first deadline, or wake()) when `until` is in the future. Blocks while
  // another thread polls.
  void poll(time_point until) noexcept;
  // try_poll() polls without sleeping unless another thread is polling.
  void try_poll() noexcept;
  // due() says whether a busy owner should poll now: a deadline passed, or it last polled
  // longer ago than the polling interval.
  bool due(std::int64_t now_ns) const noexcept;
  // wake() interrupts a sleeping poll(), or makes the next one return at once. Any thread.
  void wake() noexcept;
  // woken() says whether wake() was called since the last poll(): the next one would not sleep.
  bool woken() const noexcept { return notified_.load(std::memory_order_acquire); }

 private:
  struct ByDeadline {
    bool operator()(const Waiter& a, const Waiter& b) const noexcept {
      return a.deadline() < b.deadline();
    }
  };
  using Deadlines = boost::intrusive::multiset<
      Waiter,
      boost::intrusive::member_hook<Waiter, boost::intrusive::set_member_hook<>,
                                    &Waiter::timer_hook>,
      boost::intrusive::compare<ByDeadline>>;
  using Unordered = boost::intrusive::list<
      Waiter, boost::intrusive::member_hook<Waiter, boost::intrusive::list_member_hook<>,
                                            &Waiter::list_hook>>;
  using Registry = boost::intrusive::list<
      IoSource, boost::intrusive::member_hook<IoSource, boost::intrusive::list_member_hook<>,
                                              &IoSource::registry_hook>>;

  void poll_locked(time_point until) noexcept;           // caller holds poll_mutex_
  void expire(time_point now) noexcept;                  // caller holds mutex_
  void sort_far(time_point now) noexcept;                // caller holds mutex_
  void disarm(Waiter& w, ReactorWait& parked) noexcept;  // takes the list's lock
  // unlink() takes `w` out of whichever of this reactor's collections holds it; false if none.
  // The caller holds that collection's lock (untimed_lock_ for a wait without a deadline).
  bool unlink(Waiter& w) noexcept;
  void cancel_parked(ReactorWait& parked) noexcept;  // takes both list locks
  void note_first_deadline() noexcept;               // caller holds mutex_

  const CancelSignal& cancel_;
  std::unique_ptr<Poller> poller_;
  std::mutex poll_mutex_;
  std::array<Readiness, 256> ready_;  // poll_mutex_

  std::mutex mutex_;
  Deadlines deadlines_;
  // Waits whose deadline was more than kFarNs away when they were armed (a server's read
  // deadline, mostly never reached): arming and ending one is O(1), where the deadline order
  // costs a descent through thousands of nodes. far_due_ is at or before the earliest of their
  // deadlines; when it passes, one pass over them times out those due and moves those now
  // near into the deadline order, so a wait sits in one pass per kFarNs at most.
  Unordered far_;
  time_point far_due_ = time_point::max();
  Spinlock untimed_lock_;
  Unordered untimed_;  // untimed_lock_
  Registry sources_;
  Registry retired_;  // removed, freed by the next poll
  time_point sleeping_until_ = time_point::min();

  std::atomic<bool> sleeping_{false};
  std::atomic<bool> notified_{false};
  std::atomic<std::int64_t> first_deadline_ns_{INT64_MAX};
  std::atomic<std::int64_t> last_poll_ns_{0};
};

}  // namespace switchyard::detail
