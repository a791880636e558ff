// Errors the runtime puts into futures.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

namespace switchyard {

// RuntimeStopped: a task was spawned after the runtime began to shut down; it never ran.
class RuntimeStopped : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// TaskCancelled: the task was cancelled (its future, its group) or the runtime shut down
// before it finished: it never started, or it was woken from a Switchyard wait to unwind.
class TaskCancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// DeadlineExceeded: a deadline put on a call (with_timeout) or a group (TaskGroup) passed
// before the work ended; the work was cancelled.
class DeadlineExceeded : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ShardLost: the shard process running a call died (a crash, a signal, an exit) or broke the
// protocol before answering. what() names the task and how the shard ended. A kind marked
// idempotent is re-run once on another shard before its caller sees this.
class ShardLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ShardTaskError: a registered task threw in a shard process. what() is the exception's own
// message; type() names the exception's type as the shard saw it.
class ShardTaskError : public std::runtime_error {
 public:
  ShardTaskError(std::string type, const std::string& message)
      : std::runtime_error(message), type_(std::make_shared<const std::string>(std::move(type))) {}
  // type() is the demangled type of the exception the task threw ("std::out_of_range").
  const std::string& type() const noexcept { return *type_; }

 private:
  std::shared_ptr<const std::string> type_;  // shared: copying an exception must not throw
};

// ShardCallRejected: a shard refused a call before running it: the task is not registered in
// the shard, or its arguments did not decode. what() says which.
class ShardCallRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace switchyard
