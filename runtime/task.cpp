#include "task.hpp"

namespace switchyard::detail {

TaskSample Task::sample(bool failed) const noexcept {
  using std::chrono::nanoseconds;
  TaskSample s;
  s.placement = where_;
  // A task measured to the end spans spawn to its last stop; one whose measuring stopped
  // spans what its measured slices and the waits between them add up to.
  s.wall = nanoseconds{measuring() ? stop_ns_ - spawn_ns_
                                   : queued_ns_ + cpu_ns_ + blocked_ns_ + wait_ns_};
  s.cpu = nanoseconds{cpu_ns_};
  s.blocked = nanoseconds{blocked_ns_};
  s.wait = nanoseconds{wait_ns_};
  s.queued = nanoseconds{queued_ns_};
  s.migrations = migrations_;
  s.failed = failed;
  if (counters_) s.counters = counters_->total;
  return s;
}

}  // namespace switchyard::detail
