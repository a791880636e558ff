// make_policy(): the built-in policy a config names.
#pragma once

#include <memory>

#include <switchyard/config.hpp>
#include <switchyard/policy.hpp>

namespace switchyard {

// make_policy() builds the policy `config.policy.name` names, with its parameters and the
// executors' settings it weighs. Throws std::bad_alloc.
std::unique_ptr<Policy> make_policy(const Config& config);

}  // namespace switchyard
