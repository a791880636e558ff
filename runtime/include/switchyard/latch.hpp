// Latch: a single-use countdown that tasks and threads wait on.
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include <switchyard/deadline.hpp>
#include <switchyard/detail/spinlock.hpp>
#include <switchyard/detail/wait_list.hpp>
#include <switchyard/detail/wait_stats.hpp>

namespace switchyard {

// Latch counts down from the count it is made with; once it reaches zero it stays open and
// every wait returns. A waiting task suspends (on any executor), a thread blocks; a task's
// wait ends in TaskCancelled when its runtime cancels its waits at shutdown. Go's
// sync.WaitGroup and marl's WaitGroup, for a count known up front.
class Latch {
 public:
  // Latch() starts at `count`. Throws std::invalid_argument when negative.
  explicit Latch(std::ptrdiff_t count);
  // Latch(count, name) is a named Latch: the reports of the runtimes whose tasks wait on it
  // list its waits (docs/report.md). Throws std::invalid_argument as Latch(count) does, and
  // for a name over 256 bytes.
  Latch(std::ptrdiff_t count, std::string_view name);
  Latch(const Latch&) = delete;
  Latch& operator=(const Latch&) = delete;
  ~Latch() = default;

  // set_name() names it, as the constructor with a name does (an empty name unnames it).
  // Before it is shared. Throws std::invalid_argument for a name over 256 bytes.
  void set_name(std::string_view name) { name_.set("Latch", name); }
  // count_down() lowers the count by `n`, opening the latch when it reaches zero. Throws
  // std::invalid_argument for a negative `n` or one larger than the count left (the count is
  // then unchanged). Never waits.
  void count_down(std::ptrdiff_t n = 1);
  // try_wait() says whether the latch is open. Never waits.
  bool try_wait() const noexcept;
  // wait() waits until the latch is open.
  void wait() const { wait_until(Deadline::none()); }
  // wait_until() waits until the latch is open or `deadline` passes; returns whether it is open.
  bool wait_until(Deadline deadline) const;
  // wait_for() is wait_until(now + timeout).
  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout) const {
    return wait_until(Deadline(timeout));
  }
  // arrive_and_wait() is count_down(n), then wait().
  void arrive_and_wait(std::ptrdiff_t n = 1) {
    count_down(n);
    wait();
  }

 private:
  mutable detail::Spinlock lock_;
  std::ptrdiff_t count_;              // guarded by lock_
  mutable detail::WaitList waiters_;  // guarded by lock_
  detail::WaitName name_;
};

}  // namespace switchyard
