// CostPolicy: the executor with the least expected completion time.
#pragma once

#include <switchyard/config.hpp>
#include <switchyard/cost_model.hpp>
#include <switchyard/policy.hpp>
#include <switchyard/rules_policy.hpp>

namespace switchyard {

// CostPolicy places a kind, once `rules.min_samples` of its tasks were measured since it last
// moved or changed phase, on the executor where CostModel expects its next task to complete
// soonest, from the calibrated dispatch costs, the executors' load and the kind's measured
// service time (the same on every executor: it measures the kind only where it runs). The
// kind stays where it is while that costs at most `cost.hysteresis` more than the cheapest,
// and the decision table breaks ties when it must move. Stateless beyond its parameters: safe
// to call from any thread.
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

  // decides() says whether the model places `kind` yet: not while it is pinned or has fewer
  // than min_samples tasks measured since it last moved or changed phase; the decision
  // table's answer (place()'s then) stands until it does.
  bool decides(const KindState& kind) const noexcept {
    return !kind.pinned && kind.profile.since_restart() >= min_samples_;
  }
  // decide() is place() for a kind the model decides, with its service time on each executor
  // given, and the load already read.
  Decision decide(const KindState& kind, const ServiceTimes& service, const LoadView& load,
                  const MachineModel* machine) const noexcept {
    return choose(kind, model_.costs(kind, service, load, machine), rules_.decide(kind),
                  hysteresis_);
  }
  const CostModel& model() const noexcept { return model_; }

 private:
  RulesPolicy rules_;
  CostModel model_;
  double hysteresis_;
  std::uint32_t min_samples_;
};

}  // namespace switchyard
