// Event: a flag that tasks and threads wait to see set.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include <switchyard/deadline.hpp>
#include <switchyard/detail/spinlock.hpp>
#include <switchyard/detail/wait_list.hpp>
#include <switchyard/detail/wait_stats.hpp>

namespace switchyard {

// Event is a flag to wait for. A manual-reset event stays set, letting every waiter through,
// until reset(); an auto-reset event lets exactly one waiter through per set(), and is clear
// again once it has (marl's Event::Mode). A waiting task suspends (on any executor), a thread
// blocks; a task's wait ends in TaskCancelled when its runtime cancels its waits at shutdown.
class Event {
 public:
  // Mode says whether a successful wait clears the event (automatic) or not (manual).
  enum class Mode : std::uint8_t { manual, automatic };

  explicit Event(Mode mode = Mode::manual, bool initially_set = false) noexcept
      : mode_(mode), set_(initially_set) {}
  // Event(name, mode, initially_set) is a named Event: the reports of the runtimes whose tasks
  // wait on it list its waits (docs/report.md). Throws std::invalid_argument for a name over
  // 256 bytes.
  explicit Event(std::string_view name, Mode mode = Mode::manual, bool initially_set = false)
      : mode_(mode), set_(initially_set), name_("Event", name) {}
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event() = default;

  // set_name() names it, as the constructor with a name does (an empty name unnames it).
  // Before it is shared. Throws std::invalid_argument for a name over 256 bytes.
  void set_name(std::string_view name) { name_.set("Event", name); }
  // set() sets the event: wakes every waiter (manual), or one waiter or else stays set until
  // the next wait (automatic). Never waits.
  void set() noexcept;
  // reset() clears the event. Never waits.
  void reset() noexcept;
  // is_set() says whether the event is set at the moment. Never waits.
  bool is_set() const noexcept;
  // try_wait() passes the event if it is set (clearing an automatic one); never waits.
  bool try_wait() noexcept;
  // wait() waits until the event is set, and passes it.
  void wait() { wait_until(Deadline::none()); }
  // wait_until() waits until the event is set or `deadline` passes; returns whether it passed.
  bool wait_until(Deadline deadline);
  // wait_for() is wait_until(now + timeout).
  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout) {
    return wait_until(Deadline(timeout));
  }

 private:
  const Mode mode_;
  mutable detail::Spinlock lock_;
  bool set_;                  // guarded by lock_
  detail::WaitList waiters_;  // guarded by lock_
  detail::WaitName name_;
};

}  // namespace switchyard
