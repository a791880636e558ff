// RuntimeCore's load: what its executors and shards are doing, as its policy sees it, and the
// elastic pools sized from it.
#include <algorithm>
#include <mutex>

#include "core/runtime_core.hpp"

namespace switchyard::detail {

void RuntimeCore::retune() noexcept {
  Executor& blocking = executor(Placement::blocking);
  const PoolSizes now{blocking.keep()};
  blocking.set_keep(policy_->retune(load(), now).blocking_keep);
}

LoadView RuntimeCore::load() const noexcept {
  std::lock_guard lk(load_lock_);
  return load_;
}

void RuntimeCore::refresh_load() noexcept {
  const LoadView fresh = read_load();
  std::lock_guard lk(load_lock_);
  load_ = fresh;
}

LoadView RuntimeCore::read_load() const noexcept {
  LoadView view;
  for (const auto& e : executors_) view[e->placement()] = e->load();
  if (shards_) {
    // Shards start with the first call: until then a policy counts every slot as one.
    const ShardPool::Load l = shards_->load();
    ExecutorLoad& shard = view[Placement::shard];
    shard.workers = l.slots;
    shard.busy = std::min(l.inflight, l.slots);
    shard.queued = l.inflight - shard.busy;
  }
  return view;
}

}  // namespace switchyard::detail
