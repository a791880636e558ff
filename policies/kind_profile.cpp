#include <switchyard/kind_profile.hpp>

#include <algorithm>

namespace switchyard {

void KindProfile::add(const TaskSample& s) noexcept {
  ++count_;
  if (s.failed) ++failures_;
  const double weight = std::max(1.0 / static_cast<double>(count_), 1.0 / kWindow);
  auto fold = [weight](double& avg, std::chrono::nanoseconds v) {
    avg += weight * (static_cast<double>(v.count()) - avg);
  };
  fold(avg_.wall, s.wall);
  fold(avg_.cpu, s.cpu);
  fold(avg_.blocked, s.blocked);
  fold(avg_.wait, s.wait);
  fold(avg_.queued, s.queued);
  totals_.wall += s.wall;
  totals_.cpu += s.cpu;
  totals_.blocked += s.blocked;
  totals_.wait += s.wait;
  totals_.queued += s.queued;
  totals_.migrations += s.migrations;
  wall_.add(s.wall);
  if (s.counters) {
    counter_totals_ = counted_ == 0 ? *s.counters : counter_totals_ + *s.counters;
    ++counted_;
  }
}

}  // namespace switchyard
