// Policy: the seam through which the runtime asks where a kind of task should run.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <switchyard/kind_profile.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/surroundings.hpp>

namespace switchyard {

// KindState is what a policy sees of one task kind when it decides.
struct KindState {
  std::string_view name;
  const KindProfile& profile;
  Placement current = Placement::fiber;  // where its new tasks go now
  std::optional<Placement> pinned;       // set by config or hint: never moves
  std::uint32_t inflight = 0;            // its tasks spawned and not yet finished
  bool stalled = false;                  // caught blocking a fiber worker, not yet re-measured
  bool shardable = false;                // a registered task: it can run in a shard process
};

// Decision is a policy's answer: the placement and the rule that chose it, with the measured
// value and the threshold it was compared against (for reports; zero when not applicable).
struct Decision {
  Placement placement = Placement::fiber;
  std::string_view rule;  // static text
  double measured = 0.0;
  double threshold = 0.0;
};

// Policy decides placements. The runtime calls place() once for a new kind and again after
// each finished task of the kind folds into its profile, holding that kind's lock, so calls
// for one kind never overlap; calls for different kinds may come from different threads at
// once, so any state shared across kinds must be synchronized by the policy. Every hook is
// noexcept and must be cheap: it runs on a worker thread at task completion.
class Policy {
 public:
  virtual ~Policy() = default;
  // name() is the policy's config name ("rules", "cost", ...).
  virtual std::string_view name() const noexcept = 0;
  // place() decides where the kind's next tasks run; `around` gives the executors' load and
  // the calibrated machine, on demand.
  virtual Decision place(const KindState& kind, const Surroundings& around) noexcept = 0;
};

}  // namespace switchyard
