// AlarmClock: deadlines the runtime's monitor acts on, for what is not a waiting task.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include <boost/intrusive/set.hpp>

#include <switchyard/detail/spinlock.hpp>

namespace switchyard::detail {

class MonitorBell;

// Alarm is one deadline for an AlarmClock: once `deadline` passes, the monitor calls
// `ring(owner)`, holding no lock, if `owner` still lives. Whoever keeps the alarm disarms it
// before the alarm goes; a ring already under way holds the owner alive until it returns.
struct Alarm {
  using time_point = std::chrono::steady_clock::time_point;
  using Ring = void (*)(void* owner) noexcept;

  Alarm(time_point at, std::weak_ptr<void> of, Ring call) noexcept
      : deadline(at), owner(std::move(of)), ring(call) {}
  Alarm(const Alarm&) = delete;
  Alarm& operator=(const Alarm&) = delete;

  const time_point deadline;
  const std::weak_ptr<void> owner;
  const Ring ring;
  boost::intrusive::set_member_hook<> hook;  // the clock's, under its shard's lock
};

// AlarmClock keeps a runtime's armed alarms and rings them from the monitor thread. Reactors
// time waits out, but on fiber workers' schedulers, where nothing may resolve a future or wake
// its waiters; a ring may do both (a group's deadline cancels its children), so it happens on
// the monitor. The alarms are spread over shards, each under its own lock, so that arming from
// many cores meets no lock they all share. The monitor sleeps no later than the earliest
// deadline; an alarm armed for before the monitor's wake-up hurries it (MonitorBell::hurry()).
class AlarmClock {
 public:
  explicit AlarmClock(MonitorBell& bell) noexcept : bell_(bell) {}
  AlarmClock(const AlarmClock&) = delete;
  AlarmClock& operator=(const AlarmClock&) = delete;

  // arm() has the monitor ring `alarm` once its deadline passes (at its next wake-up if it has
  // already). `alarm` must not be armed. Any thread; never blocks for long.
  void arm(Alarm& alarm) noexcept;
  // disarm() takes `alarm` back unless the monitor has taken it to ring. Any thread.
  void disarm(Alarm& alarm) noexcept;

  // plan() is when the monitor, meaning to wake at `wake_ns` (steady clock), must wake: then, or
  // at the earliest deadline. Published, so that arm() hurries a monitor that would wake too
  // late. The monitor, before each sleep.
  std::int64_t plan(std::int64_t wake_ns) noexcept;
  // ring() rings the alarms due at `now_ns`, one at a time, holding no lock while it does. The
  // monitor's thread.
  void ring(std::int64_t now_ns) noexcept;

 private:
  struct ByDeadline {
    bool operator()(const Alarm& a, const Alarm& b) const noexcept {
      return a.deadline < b.deadline;
    }
  };
  using Alarms = boost::intrusive::multiset<
      Alarm,
      boost::intrusive::member_hook<Alarm, boost::intrusive::set_member_hook<>, &Alarm::hook>,
      boost::intrusive::compare<ByDeadline>>;
  struct alignas(64) Shard {
    Spinlock lock;
    Alarms alarms;                                  // lock
    std::atomic<std::int64_t> first_ns{INT64_MAX};  // the earliest deadline in `alarms`
    void note_first() noexcept;                     // caller holds lock
  };
  static constexpr std::size_t kShards = 64;

  Shard& shard_of(const Alarm& alarm) noexcept;

  MonitorBell& bell_;
  std::array<Shard, kShards> shards_;
  std::atomic<std::int64_t> wake_ns_{INT64_MAX};  // when the monitor means to wake
};

}  // namespace switchyard::detail
