#include <switchyard/fixed_policy.hpp>

namespace switchyard {

Decision FixedPolicy::place(const KindState& kind, const Surroundings&) noexcept {
  if (kind.pinned) return {*kind.pinned, "pinned"};
  if (params_.placement == Placement::shard && !kind.shardable) {
    return {Placement::fiber, "fixed by config; not a registered task, so not in a shard"};
  }
  return {params_.placement, "fixed by config"};
}

}  // namespace switchyard
