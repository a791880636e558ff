#include <switchyard/policy_factory.hpp>

#include <stdexcept>
#include <string>

#include <switchyard/rules_policy.hpp>

namespace switchyard {

std::unique_ptr<Policy> make_policy(const PolicyConfig& config) {
  switch (config.name) {
    case PolicyName::rules:
      return std::make_unique<RulesPolicy>(config.rules);
    case PolicyName::fixed:
    case PolicyName::cost:
    case PolicyName::explore:
      break;
  }
  throw std::invalid_argument("policy '" + std::string(to_string(config.name)) +
                              "' is not available in this build; use policy.name = \"rules\"");
}

}  // namespace switchyard
