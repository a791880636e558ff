#include <switchyard/cost_policy.hpp>

namespace switchyard {

Decision CostPolicy::place(const KindState& kind, const Surroundings& around) noexcept {
  if (!decides(kind)) return rules_.decide(kind);
  ServiceTimes service;
  service.fill(ServiceTime::of(kind.profile));
  return decide(kind, service, around.load(), around.machine());
}

}  // namespace switchyard
