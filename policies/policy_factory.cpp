#include <switchyard/policy_factory.hpp>

#include <switchyard/cost_policy.hpp>
#include <switchyard/explore_policy.hpp>
#include <switchyard/fixed_policy.hpp>
#include <switchyard/rules_policy.hpp>

namespace switchyard {

std::unique_ptr<Policy> make_policy(const Config& config) {
  const PolicyConfig& p = config.policy;
  switch (p.name) {
    case PolicyName::fixed:
      return std::make_unique<FixedPolicy>(p.fixed);
    case PolicyName::rules:
      return std::make_unique<RulesPolicy>(p.rules);
    case PolicyName::cost:
      return std::make_unique<CostPolicy>(p, config.executors);
    case PolicyName::explore:
      return std::make_unique<ExplorePolicy>(p, config.executors);
  }
  return std::make_unique<RulesPolicy>(p.rules);
}

}  // namespace switchyard
