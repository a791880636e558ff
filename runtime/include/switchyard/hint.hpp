// Hint: what a caller may say about one spawned task.
#pragma once

#include <optional>

#include <switchyard/placement.hpp>

namespace switchyard {

// Hint pins one task to an executor, overriding the policy for that task only. Without a
// placement the policy decides from the kind's measurements. Placement::shard is for
// registered tasks only.
struct Hint {
  std::optional<Placement> placement;
};

// on() is shorthand for Hint{placement}: rt.spawn("k", fn, on(Placement::cpu)).
inline Hint on(Placement p) noexcept {
  return Hint{p};
}

}  // namespace switchyard
