// ConditionVariable: waiting for a condition under a lock, as a task or a thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <string_view>

#include <switchyard/deadline.hpp>
#include <switchyard/detail/spinlock.hpp>
#include <switchyard/detail/wait_list.hpp>
#include <switchyard/detail/wait_stats.hpp>

namespace switchyard {

// ConditionVariable lets tasks and plain threads wait together until notified. A waiting task
// suspends (on any executor), a thread blocks. It works with any lock (BasicLockable) whose
// owner may change threads if a task holds it: std::unique_lock<switchyard::Mutex> is the one
// to use in tasks (a std::mutex held by a task is unlocked on whatever thread the task resumes
// on). Waits may end spuriously, as std::condition_variable's may; use the predicate forms.
// Once the runtime cancels its waits at shutdown, a task's wait relocks the lock and throws
// TaskCancelled.
class ConditionVariable {
 public:
  ConditionVariable() = default;
  // ConditionVariable(name) is a named ConditionVariable: the reports of the runtimes whose
  // tasks wait on it list its waits (docs/report.md). Throws std::invalid_argument for a name
  // over 256 bytes.
  explicit ConditionVariable(std::string_view name) : name_("ConditionVariable", name) {}
  ConditionVariable(const ConditionVariable&) = delete;
  ConditionVariable& operator=(const ConditionVariable&) = delete;
  ~ConditionVariable() = default;

  // set_name() names it, as the constructor with a name does (an empty name unnames it).
  // Before it is shared. Throws std::invalid_argument for a name over 256 bytes.
  void set_name(std::string_view name) { name_.set("ConditionVariable", name); }
  // notify_one() wakes one waiter, if any. Never waits; any thread, lock held or not.
  void notify_one() noexcept;
  // notify_all() wakes every waiter. Never waits; any thread, lock held or not.
  void notify_all() noexcept;

  // wait() releases `lock` (held by the caller), waits for a notification, and relocks it.
  template <class Lock>
  void wait(Lock& lock) {
    wait_until(lock, Deadline::none());
  }
  // wait(lock, ready) waits until ready() holds, checked under the lock.
  template <class Lock, class Predicate>
  void wait(Lock& lock, Predicate ready) {
    while (!ready()) wait(lock);
  }
  // wait_until() is wait() that gives up at `deadline`: cv_status::timeout if it passed.
  template <class Lock>
  std::cv_status wait_until(Lock& lock, Deadline deadline) {
    // A deadline already passed times out without letting go of the lock (a wait may always
    // end at once, as a spurious wake-up may).
    if (deadline.passed()) return std::cv_status::timeout;
    const detail::WaitOutcome outcome = park(
        deadline, [](void* l) { static_cast<Lock*>(l)->unlock(); }, &lock);
    lock.lock();
    if (outcome == detail::WaitOutcome::cancelled) {
      detail::throw_cancelled("ConditionVariable::wait");
    }
    return outcome == detail::WaitOutcome::timeout ? std::cv_status::timeout
                                                   : std::cv_status::no_timeout;
  }
  // wait_until(lock, deadline, ready) waits until ready() holds or `deadline` passes; returns
  // ready().
  template <class Lock, class Predicate>
  bool wait_until(Lock& lock, Deadline deadline, Predicate ready) {
    while (!ready()) {
      if (wait_until(lock, deadline) == std::cv_status::timeout) return ready();
    }
    return true;
  }
  // wait_for() is wait_until(now + timeout).
  template <class Lock, class Rep, class Period>
  std::cv_status wait_for(Lock& lock, const std::chrono::duration<Rep, Period>& timeout) {
    return wait_until(lock, Deadline(timeout));
  }
  template <class Lock, class Rep, class Period, class Predicate>
  bool wait_for(Lock& lock, const std::chrono::duration<Rep, Period>& timeout, Predicate ready) {
    return wait_until(lock, Deadline(timeout), std::move(ready));
  }

 private:
  // park() queues the caller, calls unlock(lock), and waits until notified or `deadline`;
  // `lock` is left unlocked.
  detail::WaitOutcome park(Deadline deadline, void (*unlock)(void*), void* lock);

  detail::Spinlock lock_;
  detail::WaitList waiters_;  // guarded by lock_
  detail::WaitName name_;
};

}  // namespace switchyard
