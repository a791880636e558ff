#include <switchyard/move_budget.hpp>

#include <algorithm>

namespace switchyard {

double MoveBudget::tokens(std::chrono::nanoseconds now) const noexcept {
  const auto since = std::max(now - last_, std::chrono::nanoseconds{0});
  const double gained = static_cast<double>(since.count()) / static_cast<double>(kRefill.count());
  return std::min(static_cast<double>(kBurst), tokens_ + gained);
}

bool MoveBudget::spend(std::chrono::nanoseconds now) noexcept {
  const double left = tokens(now);
  last_ = std::max(now, last_);
  tokens_ = left;
  if (left < 1.0) return false;
  tokens_ = left - 1.0;
  return true;
}

}  // namespace switchyard
