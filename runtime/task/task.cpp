#include "task/task.hpp"

#include <cstddef>

#include <switchyard/detail/shared_state.hpp>

#include "exec/worker.hpp"

namespace switchyard::detail {

TaskSample Task::sample() const noexcept {
  using std::chrono::nanoseconds;
  TaskSample s;
  s.placement = where_;
  // A task measured to the end spans spawn to its last stop; one whose measuring stopped
  // spans what its measured slices and the waits between them add up to.
  for (std::size_t i = 0; i < kWaitCauses; ++i) s.waits[i] = nanoseconds{waits_[i]};
  s.wall = measuring() ? nanoseconds{stop_ns_ - spawn_ns_}
                       : nanoseconds{queued_ns_ + cpu_ns_ + blocked_ns_} + s.wait();
  s.cpu = nanoseconds{cpu_ns_};
  s.blocked = nanoseconds{blocked_ns_};
  s.joined = nanoseconds{joined_ns_};
  s.queued = nanoseconds{queued_ns_};
  s.migrations = migrations_;
  if (counters_) s.counters = counters_->total;
  return s;
}

Task* Task::current() noexcept {
  // Only a worker's fibers carry Tasks: a fiber of another scheduler carries other properties.
  if (Worker::current() == nullptr) return nullptr;
  return Task::of(boost::fibers::context::active());
}

void set_joining(bool joining) noexcept {
  Task* task = Task::current();
  if (task == nullptr) return;
  task->set_joining(joining);
  task->kind.governor.joining(joining);
}

}  // namespace switchyard::detail
