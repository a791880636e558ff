// this_task: what a running task can ask and do about itself.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include <switchyard/detail/timeout.hpp>
#include <switchyard/placement.hpp>

namespace switchyard::this_task {

// inside() says whether the caller is running as a Switchyard task.
bool inside() noexcept;

// placement() is the executor the calling task is running on; nullopt outside a task.
std::optional<Placement> placement() noexcept;

// kind() is the calling task's kind name; empty outside a task.
std::string_view kind() noexcept;

// move_to() moves the calling task to another executor: it suspends, and resumes on a thread
// of executor `p`, its stack and state intact. The task stays there (the policy no longer
// moves it) until it calls move_to() again. Throws std::logic_error outside a task and
// std::invalid_argument for Placement::shard (a running task cannot cross a process).
void move_to(Placement p);

// yield() lets other ready tasks run; outside a task it yields the thread.
void yield();

// cancelled() says whether the calling task was cancelled (its Future::cancel(), its group's
// cancellation): its next Switchyard wait will throw TaskCancelled. A CPU loop calls it, or
// throw_if_cancelled(), to stop early. False outside a task, and while the task waits for the
// children of a group it is unwinding from.
bool cancelled() noexcept;

// throw_if_cancelled() throws TaskCancelled if cancelled() says so.
void throw_if_cancelled();

// sleep_until() suspends the calling task (outside a task: blocks the thread) until
// `deadline`. Inside a task, throws TaskCancelled if the task is cancelled or the runtime shuts
// down meanwhile.
void sleep_until(std::chrono::steady_clock::time_point deadline);

// sleep_for() is sleep_until(now + d), rounded up to the clock's tick: a d too long for the
// clock (hours::max()) sleeps until cancelled, a negative one does not sleep.
template <class Rep, class Period>
void sleep_for(const std::chrono::duration<Rep, Period>& d) {
  sleep_until(detail::deadline_after(d));
}

}  // namespace switchyard::this_task
