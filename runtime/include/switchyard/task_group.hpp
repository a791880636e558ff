// TaskGroup: structured concurrency: tasks that end before the group that owns them.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <switchyard/deadline.hpp>
#include <switchyard/detail/cancel_subscription.hpp>
#include <switchyard/detail/spawn_callable.hpp>
#include <switchyard/detail/task_body.hpp>
#include <switchyard/errors.hpp>
#include <switchyard/event.hpp>
#include <switchyard/future.hpp>
#include <switchyard/hint.hpp>
#include <switchyard/runtime.hpp>

namespace switchyard {

namespace detail {

struct Alarm;

// GroupCore is a group's state, shared with its children's callables, which may end after the
// TaskGroup object (they touch the core last, as they go).
class GroupCore {
 public:
  // make() is the state of a group of `rt`'s tasks. With a deadline, the group has an alarm,
  // armed with the runtime's monitor while a child is counted in, that cancels the children
  // when the deadline passes, whoever waits on the group or not. Throws std::bad_alloc.
  static std::shared_ptr<GroupCore> make(Runtime& rt, Deadline deadline);
  explicit GroupCore(Runtime& rt) noexcept;
  ~GroupCore();
  GroupCore(const GroupCore&) = delete;
  GroupCore& operator=(const GroupCore&) = delete;

  // child_starting() counts a child in before it is spawned; child_ended() counts it out, from
  // its callable's destruction (it ran, or was dropped unstarted). The deadline's alarm is
  // armed from the first child counted in to the last counted out: no alarm outlives the
  // group's children, and none rings for a group that has none. A child counted in past the
  // deadline times the group out: it never starts.
  void child_starting() noexcept;
  void child_ended() noexcept;
  // child_spawned() lists the child's state, to cancel it, before the child is queued;
  // cancels it if the group already is. False when it cannot be listed (no memory).
  bool child_spawned(StateBase& child) noexcept;
  // submit() queues a child on the group's runtime, as Runtime::spawn() does.
  void submit(std::string_view kind, const Hint& hint, TaskBody* body) noexcept;
  // child_failed() records the first failure and cancels the siblings.
  void child_failed(std::exception_ptr error) noexcept;
  // cancel() cancels every child, now and to come.
  void cancel() noexcept;
  // owner_cancelled() is the cancellation of the task that made the group (`core`): it
  // cancels the group.
  static void owner_cancelled(void* core) noexcept;
  bool cancelled() const noexcept;
  std::size_t running() const noexcept;
  // wait() waits until no child runs. `shielded`: the caller's own cancellation does not end
  // the wait.
  void wait(bool shielded);
  // outcome() rethrows the first failure, then DeadlineExceeded if the deadline cancelled the
  // group; once.
  void outcome();

 private:
  // on_deadline() is the alarm's ring: the monitor's, holding the group alive.
  static void on_deadline(void* core) noexcept;
  // deadline_passed() times the group out and cancels its children, if any is still counted in.
  void deadline_passed() noexcept;

  Runtime& runtime_;
  std::unique_ptr<Alarm> alarm_;  // with a deadline; armed while live_ > 0 (under mutex_)
  mutable std::mutex mutex_;      // a few instructions at a time, never across a wait
  std::size_t live_ = 0;
  std::vector<StateBase*> children_;  // one reference each
  std::exception_ptr failure_;
  bool cancelled_ = false;
  bool timed_out_ = false;
  Event ended_{Event::Mode::manual, true};  // set while live_ == 0
};

// GroupMembership rides in a child's callable: its destruction, however the child ends, counts
// the child out of the group.
class GroupMembership {
 public:
  explicit GroupMembership(std::shared_ptr<GroupCore> core) noexcept : core_(std::move(core)) {
    core_->child_starting();
  }
  GroupMembership(GroupMembership&& other) noexcept = default;
  GroupMembership& operator=(GroupMembership&&) = delete;
  GroupMembership(const GroupMembership&) = delete;
  GroupMembership& operator=(const GroupMembership&) = delete;
  ~GroupMembership() {
    if (core_) core_->child_ended();
  }
  // core() and shared() are the group the child belongs to.
  GroupCore& core() const noexcept { return *core_; }
  const std::shared_ptr<GroupCore>& shared() const noexcept { return core_; }

 private:
  std::shared_ptr<GroupCore> core_;
};

// enter_group() makes `membership` (or none) the group that the calling task's own spawns
// (this_task::spawn) join, and returns the one it replaces. Outside a task it does nothing and
// returns nullptr.
const GroupMembership* enter_group(const GroupMembership* membership) noexcept;

// GroupScope makes a child's own spawns members of its group while the child's callable runs.
class GroupScope {
 public:
  explicit GroupScope(const GroupMembership& membership) noexcept
      : previous_(enter_group(&membership)) {}
  ~GroupScope() { enter_group(previous_); }
  GroupScope(const GroupScope&) = delete;
  GroupScope& operator=(const GroupScope&) = delete;

 private:
  const GroupMembership* previous_;
};

// spawn_in_group() spawns `fn` as a child of `core`'s group, and returns its future: the
// callable that runs `fn` as a member (counted in until it is destroyed, its failure
// cancelling the group, its own spawns members too) becomes a task body, which the group
// lists before `submit` queues it, so that the group can cancel every child that can run.
// A child the group cannot list (no memory) is not queued: its future fails with bad_alloc.
template <class F, class Submit>
auto spawn_in_group(const std::shared_ptr<GroupCore>& core, F&& fn, Submit&& submit)
    -> Future<std::invoke_result_t<std::decay_t<F>&&>> {
  using R = std::invoke_result_t<std::decay_t<F>&&>;
  return spawn_callable(
      [membership = GroupMembership(core), f = std::forward<F>(fn)]() mutable -> R {
        const GroupScope scope(membership);
        try {
          return std::invoke(std::move(f));
        } catch (const TaskCancelled&) {
          throw;
        } catch (...) {
          membership.core().child_failed(std::current_exception());
          throw;
        }
      },
      [&](auto* body) {
        if (core->child_spawned(*body)) {
          std::forward<Submit>(submit)(body);
          return;
        }
        body->cancel(std::make_exception_ptr(std::bad_alloc()));
        body->release();
      });
}

}  // namespace detail

// TaskGroup owns the tasks spawned into it. wait() returns when all have ended, their captures
// destroyed and their futures ready; the first that fails (with anything but TaskCancelled)
// cancels the others, and wait() rethrows its error. A group destroyed with children still
// running cancels them and waits for them to end: no child outlives its group. A deadline, when
// given, cancels the children when it passes, whether anyone waits on the group or not (children
// spawned past it never start), and wait() then throws DeadlineExceeded once they have ended.
// Groups nest through their tasks: a group made inside a task is cancelled as soon as that task is
// (its future's cancel(), its own group's cancellation, failure or deadline), whatever the task is
// doing, so cancelling a group reaches the children of every group nested below it at once; a group
// made by a task already cancelled starts no child. A task owning a group waits for it even while
// cancelled (the destructor's wait cannot be cancelled). Any thread may spawn into a group; one
// owner waits on it.
class TaskGroup {
 public:
  explicit TaskGroup(Runtime& rt, Deadline deadline = {})
      : core_(detail::GroupCore::make(rt, deadline)),
        owner_(&detail::GroupCore::owner_cancelled, core_.get()) {}
  // ~TaskGroup() cancels the children still running and waits for them. Never throws.
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // spawn() runs `fn` as a child task of kind `kind`, as Runtime::spawn() does, and returns
  // its future. In a cancelled group the child is cancelled at once (it never starts). While
  // it runs, the child's own this_task::spawn() children are members of the group too.
  template <class F>
  auto spawn(std::string_view kind, F&& fn, Hint hint = {})
      -> Future<std::invoke_result_t<std::decay_t<F>&&>> {
    detail::check_spawn_hint(hint);
    return detail::spawn_in_group(core_, std::forward<F>(fn),
                                  [&](detail::TaskBody* body) { core_->submit(kind, hint, body); });
  }

  // wait() waits until every child has ended, then rethrows the first child's failure, or
  // throws DeadlineExceeded if the deadline cancelled the group. A task cancelled while it
  // waits gets TaskCancelled (the group's children are cancelled with the task that made the
  // group; those of a group made elsewhere go on until it is destroyed or cancelled).
  void wait();
  // cancel() cancels every child, running or yet to be spawned. Never blocks.
  void cancel() noexcept { core_->cancel(); }
  // cancelled() says whether the group was cancelled (cancel(), a failure, the deadline, the
  // cancellation of the task that made it).
  bool cancelled() const noexcept { return core_->cancelled(); }
  // running() is the number of children that have not ended.
  std::size_t running() const noexcept { return core_->running(); }

 private:
  std::shared_ptr<detail::GroupCore> core_;
  // owner_ cancels the group when the task that made it is cancelled. After core_: it goes
  // first, and no call of its outlives it.
  detail::CancelSubscription owner_;
};

}  // namespace switchyard
