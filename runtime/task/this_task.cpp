#include <switchyard/this_task.hpp>

#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include <boost/fiber/context.hpp>
#include <boost/fiber/operations.hpp>

#include <switchyard/detail/cancel_state.hpp>

#include <switchyard/errors.hpp>

#include "core/runtime_core.hpp"
#include "exec/worker.hpp"
#include "task/task.hpp"
#include "task/wait.hpp"

namespace switchyard::this_task {

bool inside() noexcept {
  return detail::Task::current() != nullptr;
}

std::optional<Placement> placement() noexcept {
  if (const detail::Task* t = detail::Task::current()) return t->where();
  return std::nullopt;
}

std::string_view kind() noexcept {
  if (const detail::Task* t = detail::Task::current()) return t->kind.name;
  return {};
}

void move_to(Placement p) {
  detail::Task* t = detail::Task::current();
  if (t == nullptr) throw std::logic_error("switchyard::this_task::move_to: not inside a task");
  if (p == Placement::shard) {
    throw std::invalid_argument(
        "switchyard::this_task::move_to: a running task cannot move into a shard process");
  }
  t->pin_to(p);
  // Yielding passes the context to awakened(), which queues it on the new executor.
  boost::this_fiber::yield();
}

void yield() {
  if (detail::Task::current() != nullptr) {
    boost::this_fiber::yield();
  } else {
    std::this_thread::yield();
  }
}

void sleep_until(std::chrono::steady_clock::time_point deadline) {
  if (detail::sleep_until(deadline) == detail::Waiter::Outcome::cancelled) {
    throw TaskCancelled(std::string("switchyard: sleep cancelled: ") + detail::cancel_reason());
  }
}

bool cancelled() noexcept {
  const detail::CancelState* c = detail::current_cancel_state();
  return c != nullptr && c->deliverable();
}

void throw_if_cancelled() {
  if (cancelled()) throw TaskCancelled("switchyard: the task was cancelled");
}

}  // namespace switchyard::this_task

namespace switchyard::detail {

TaskSpawner TaskSpawner::here(const Hint& hint) {
  Task* t = Task::current();
  if (t == nullptr) {
    throw std::logic_error(
        "switchyard::this_task::spawn: not inside a task (spawn through a Runtime instead)");
  }
  check_spawn_hint(hint);
  return TaskSpawner(t->runtime, t->group);
}

void TaskSpawner::submit(std::string_view kind, const Hint& hint, TaskBody* body) const noexcept {
  runtime_->submit(kind, hint, body);
}

const GroupMembership* enter_group(const GroupMembership* membership) noexcept {
  Task* t = Task::current();
  return t != nullptr ? std::exchange(t->group, membership) : nullptr;
}

CancelState* current_cancel_state() noexcept {
  Task* t = Task::current();
  return t != nullptr ? &t->body->cancellation : nullptr;
}

const char* cancel_reason() noexcept {
  const CancelState* c = current_cancel_state();
  return c != nullptr && c->requested() ? "the task was cancelled" : "the runtime is shutting down";
}

}  // namespace switchyard::detail
