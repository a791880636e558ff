// this_task: what a running task can ask and do about itself.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include <switchyard/detail/spawn_callable.hpp>
#include <switchyard/detail/task_body.hpp>
#include <switchyard/detail/timeout.hpp>
#include <switchyard/future.hpp>
#include <switchyard/hint.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/task_group.hpp>

namespace switchyard {

namespace detail {

class RuntimeCore;

// TaskSpawner is how the calling task spawns: through its own runtime (not a Runtime object,
// which a task may destroy while it runs), into the group it is a member of, if any.
class TaskSpawner {
 public:
  // here() is the calling task's spawner for a task hinted with `hint`. Throws
  // std::logic_error outside a task, std::invalid_argument for a shard hint.
  static TaskSpawner here(const Hint& hint);
  // group() is the group the calling task's children join, or nullptr.
  const GroupMembership* group() const noexcept { return group_; }
  // submit() queues `body` on the task's runtime, as Runtime::spawn() does.
  void submit(std::string_view kind, const Hint& hint, TaskBody* body) const noexcept;

 private:
  TaskSpawner(RuntimeCore& runtime, const GroupMembership* group) noexcept
      : runtime_(&runtime), group_(group) {}

  RuntimeCore* runtime_;
  const GroupMembership* group_;
};

}  // namespace detail

namespace this_task {

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

// spawn() runs `fn` as a task of kind `kind` on the calling task's own runtime, as
// Runtime::spawn() does (placement, hint, errors), and returns a future of its result: a task
// spawns without holding a Runtime&. When the calling task is a member of a TaskGroup (spawned
// with TaskGroup::spawn(), or by this function from such a member), the child is a member of
// the same group, as if spawned with that group's spawn(): the group waits for it, cancels it
// with the others, and its failure cancels them. Any other child belongs to no group. Once the
// runtime's shutdown has begun, the future resolves with RuntimeStopped, as Runtime::spawn()'s
// does. Throws std::logic_error outside a task, std::invalid_argument for a shard hint.
template <class F>
auto spawn(std::string_view kind, F&& fn, Hint hint = {})
    -> Future<std::invoke_result_t<std::decay_t<F>&&>> {
  const detail::TaskSpawner here = detail::TaskSpawner::here(hint);
  const auto submit = [&](detail::TaskBody* body) { here.submit(kind, hint, body); };
  if (const detail::GroupMembership* group = here.group()) {
    return detail::spawn_in_group(group->shared(), std::forward<F>(fn), submit);
  }
  return detail::spawn_callable(std::forward<F>(fn), submit);
}

}  // namespace this_task

}  // namespace switchyard
