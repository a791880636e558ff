// sample(): a TaskSample with the given times, its wall time their sum, for the policies tests.
#pragma once

#include <chrono>
#include <cstddef>

#include <switchyard/task_sample.hpp>

namespace switchyard::test {

inline TaskSample sample(std::chrono::nanoseconds cpu, std::chrono::nanoseconds blocked,
                         std::chrono::nanoseconds wait,
                         std::chrono::nanoseconds queued = std::chrono::nanoseconds{0}) {
  TaskSample s;
  s.cpu = cpu;
  s.blocked = blocked;
  s.waits[static_cast<std::size_t>(WaitCause::other)] = wait;
  s.queued = queued;
  s.wall = cpu + blocked + wait + queued;
  return s;
}

}  // namespace switchyard::test
