#include <switchyard/cost_policy.hpp>

namespace switchyard {

Decision CostPolicy::place(const KindState& kind, const Surroundings& around) noexcept {
  const Decision table = rules_.place(kind, around);
  if (kind.pinned || kind.profile.since_restart() < min_samples_) return table;
  std::array<ServiceTime, all_placements.size()> service;
  service.fill(ServiceTime::of(kind.profile));
  return choose(kind, model_.costs(kind, service, around.load(), around.machine()), table,
                hysteresis_);
}

}  // namespace switchyard
