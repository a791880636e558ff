// CostPolicy: the executor with the least expected completion time.
#pragma once

#include <switchyard/config.hpp>
#include <switchyard/cost_model.hpp>
#include <switchyard/policy.hpp>
#include <switchyard/rules_policy.hpp>

namespace switchyard {

// CostPolicy places a kind, once `rules.min_samples` of its tasks were measured, on the
// executor where CostModel expects its next task to complete soonest, from the calibrated
// dispatch costs, the executors' load and the kind's measured service time (the same on every
// executor: it measures the kind only where it runs). The decision table's answer wins when it
// costs at most `cost.hysteresis` more, and the current executor next, so a kind moves only for
// a clear gain. Stateless beyond its parameters: safe to call from any thread.
class CostPolicy final : public Policy {
 public:
  CostPolicy(const PolicyConfig& params, const ExecutorsConfig& executors) noexcept
      : rules_(params.rules),
        model_(executors, params.rules),
        hysteresis_(params.cost.hysteresis),
        min_samples_(params.rules.min_samples) {}

  std::string_view name() const noexcept override { return "cost"; }
  Decision place(const KindState& kind, const Surroundings& around) noexcept override;
  PoolSizes retune(const LoadView& load, const PoolSizes& now) noexcept override {
    return CostModel::keep_warm(load, now);
  }

 private:
  RulesPolicy rules_;
  CostModel model_;
  double hysteresis_;
  std::uint32_t min_samples_;
};

}  // namespace switchyard
