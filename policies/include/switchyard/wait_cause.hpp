// WaitCause: what a suspended task waited for.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace switchyard {

// WaitCause is what a task suspended in a Switchyard wait (TaskSample::waits) waited for: a
// descriptor's readiness (io: sockets, wait_readable/writable), a time (timer: sleeps), a lock
// (Mutex, SharedMutex, ConditionVariable, Semaphore, Latch, Event) or a channel (send,
// receive, select); other is any other suspension (a yield). A wait for other tasks (a
// Future's get or wait, TaskGroup::wait, when_any) is TaskSample::joined, not one of these.
enum class WaitCause : std::uint8_t { io, timer, lock, channel, other };

// kWaitCauses is the number of WaitCauses (`other` is the last).
inline constexpr std::size_t kWaitCauses = static_cast<std::size_t>(WaitCause::other) + 1;

// WaitTimes is time waiting split by cause, indexed by WaitCause.
using WaitTimes = std::array<std::chrono::nanoseconds, kWaitCauses>;

// to_string() is the cause's name as reports write it: "io", "timer", "lock", "channel",
// "other".
constexpr std::string_view to_string(WaitCause cause) noexcept {
  constexpr std::array<std::string_view, kWaitCauses> kNames = {"io", "timer", "lock", "channel",
                                                                "other"};
  return kNames[static_cast<std::size_t>(cause)];
}

}  // namespace switchyard
