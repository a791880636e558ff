// RulesPolicy: the decision table of DESIGN.md, with thresholds.
#pragma once

#include <switchyard/config.hpp>
#include <switchyard/policy.hpp>

namespace switchyard {

// RulesPolicy leaves a kind where it is until `min_samples` of its tasks were measured (since
// it last moved or changed phase), then
// places it by the share of its active time (wall time less time queued) it
// spends on CPU and blocked in OS calls: mostly CPU → cpu pool; mostly blocked → blocking pool;
// otherwise (waiting through Switchyard) → fibers. A kind the watchdog caught stalling a fiber
// worker goes to the blocking pool. A kind leaves its placement only when the share crosses the
// threshold by `hysteresis`, so kinds near a threshold do not flap. Stateless beyond its
// parameters: safe to call from any thread.
class RulesPolicy final : public Policy {
 public:
  RulesPolicy() = default;
  explicit RulesPolicy(const RulesConfig& params) noexcept : params_(params) {}

  std::string_view name() const noexcept override { return "rules"; }
  Decision place(const KindState& kind, const Surroundings&) noexcept override {
    return decide(kind);
  }
  // decide() is place(): the table needs nothing but the kind.
  Decision decide(const KindState& kind) const noexcept;

 private:
  RulesConfig params_;
};

}  // namespace switchyard
