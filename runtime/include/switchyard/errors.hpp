// Errors the runtime puts into futures.
#pragma once

#include <stdexcept>
#include <string>

namespace switchyard {

// RuntimeStopped: a task was spawned after the runtime began to shut down; it never ran.
class RuntimeStopped : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// TaskCancelled: the runtime shut down before the task finished: it never started, or it was
// woken from a Switchyard wait (sleep, I/O) to unwind.
class TaskCancelled : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace switchyard
