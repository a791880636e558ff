// LoadView: how busy each executor is, as a policy sees it.
#pragma once

#include <cstddef>

#include <switchyard/placement.hpp>

namespace switchyard {

// ExecutorLoad is a snapshot of one executor: its threads (or shard processes), how many of
// them are running a task, and how many ready tasks wait for one.
struct ExecutorLoad {
  std::size_t workers = 0;
  std::size_t busy = 0;
  std::size_t queued = 0;
};

// LoadView holds one ExecutorLoad per Placement. A snapshot: the numbers may be stale by the
// time a policy reads them.
using LoadView = PerPlacement<ExecutorLoad>;

}  // namespace switchyard
