// SharedMutex: a readers-writer lock that suspends a waiting task and blocks a waiting thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include <switchyard/deadline.hpp>
#include <switchyard/detail/spinlock.hpp>
#include <switchyard/detail/wait_list.hpp>
#include <switchyard/detail/wait_stats.hpp>

namespace switchyard {

// SharedMutex is held by one writer (lock) or any number of readers (lock_shared), tasks and
// plain threads alike, waiting as Mutex does: a task suspends on any executor, a thread
// blocks, a task owns what it holds across moves between executors, and a task's wait ends in
// TaskCancelled when its runtime cancels its waits at shutdown. Waiters are served in
// arrival order: a reader that arrives while a writer waits queues behind it, so a stream of
// readers cannot starve writers. Meets the SharedTimedMutex requirements (std::shared_lock,
// std::unique_lock).
class SharedMutex {
 public:
  SharedMutex() = default;
  // SharedMutex(name) is a named SharedMutex: the reports of the runtimes whose tasks wait on
  // it list its waits (docs/report.md). Throws std::invalid_argument for a name over 256 bytes.
  explicit SharedMutex(std::string_view name) : name_("SharedMutex", name) {}
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;
  ~SharedMutex() = default;

  // lock() acquires it exclusively, waiting as long as it takes. Throws TaskCancelled as
  // Mutex::lock() does.
  void lock() { acquire(true, Deadline::none()); }
  // try_lock() acquires it exclusively if nobody holds or waits for it; never waits.
  bool try_lock() noexcept;
  // try_lock_until() acquires it exclusively, waiting until `deadline` at most.
  bool try_lock_until(Deadline deadline) { return acquire(true, deadline); }
  // try_lock_for() is try_lock_until(now + timeout).
  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
    return try_lock_until(Deadline(timeout));
  }
  // set_name() names it, as the constructor with a name does (an empty name unnames it).
  // Before it is shared. Throws std::invalid_argument for a name over 256 bytes.
  void set_name(std::string_view name) { name_.set("SharedMutex", name); }
  // unlock() releases exclusive ownership, which the caller holds. Never waits.
  void unlock() noexcept;

  // lock_shared() acquires it shared, waiting as long as it takes. Throws TaskCancelled as
  // Mutex::lock() does.
  void lock_shared() { acquire(false, Deadline::none()); }
  // try_lock_shared() acquires it shared if no writer holds or waits for it; never waits.
  bool try_lock_shared() noexcept;
  // try_lock_shared_until() acquires it shared, waiting until `deadline` at most.
  bool try_lock_shared_until(Deadline deadline) { return acquire(false, deadline); }
  // try_lock_shared_for() is try_lock_shared_until(now + timeout).
  template <class Rep, class Period>
  bool try_lock_shared_for(const std::chrono::duration<Rep, Period>& timeout) {
    return try_lock_shared_until(Deadline(timeout));
  }
  // unlock_shared() releases one shared ownership, which the caller holds. Never waits.
  void unlock_shared() noexcept;

 private:
  bool acquire(bool exclusive, Deadline deadline);
  // admit() hands the lock to the waiters at the front that can have it now, unlinked into
  // `woken`. Caller holds lock_.
  void admit(detail::WaitList& woken) noexcept;
  void release(bool exclusive) noexcept;

  detail::Spinlock lock_;
  std::uint64_t readers_ = 0;  // guarded by lock_
  bool writer_ = false;        // guarded by lock_
  detail::WaitList waiters_;   // guarded by lock_; WaitNode::tag is 1 for a writer
  detail::WaitName name_;
};

}  // namespace switchyard
