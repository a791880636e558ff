// make_policy(): the built-in policy a config names.
#pragma once

#include <memory>

#include <switchyard/config.hpp>
#include <switchyard/policy.hpp>

namespace switchyard {

// make_policy() builds the policy `config.name` names, with its parameters. Throws
// std::invalid_argument naming the policy when it is not available in this build.
std::unique_ptr<Policy> make_policy(const PolicyConfig& config);

}  // namespace switchyard
