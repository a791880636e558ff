// FixedPolicy: placements from the config file only.
#pragma once

#include <switchyard/config.hpp>
#include <switchyard/policy.hpp>

namespace switchyard {

// FixedPolicy never moves a kind on measurements: a kind pinned in [kinds.*] runs there, every
// other kind where [policy.fixed] placement says. Stateless beyond its parameters: safe to call
// from any thread.
class FixedPolicy final : public Policy {
 public:
  FixedPolicy() = default;
  explicit FixedPolicy(const FixedConfig& params) noexcept : params_(params) {}

  std::string_view name() const noexcept override { return "fixed"; }
  Decision place(const KindState& kind, const Surroundings& around) noexcept override;

 private:
  FixedConfig params_;
};

}  // namespace switchyard
