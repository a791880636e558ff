#include <switchyard/kind_profile.hpp>

#include <algorithm>
#include <cmath>

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
  add_shares(s);
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

void KindProfile::add_shares(const TaskSample& s) noexcept {
  const double active = static_cast<double>((s.cpu + s.blocked + s.wait).count());
  if (active <= 0) return;
  const Shares task{static_cast<double>(s.cpu.count()) / active,
                    static_cast<double>(s.blocked.count()) / active,
                    static_cast<double>(s.wait.count()) / active};
  auto fold = [&task](Shares& avg, double weight) {
    avg.cpu += weight * (task.cpu - avg.cpu);
    avg.blocked += weight * (task.blocked - avg.blocked);
    avg.wait += weight * (task.wait - avg.wait);
  };
  ++shared_;
  ++since_phase_;
  fold(short_shares_, std::max(1.0 / static_cast<double>(shared_), 1.0 / kShortWindow));
  fold(shares_, std::max(1.0 / static_cast<double>(since_phase_), 1.0 / kWindow));
  const double apart = std::max({std::abs(short_shares_.cpu - shares_.cpu),
                                 std::abs(short_shares_.blocked - shares_.blocked),
                                 std::abs(short_shares_.wait - shares_.wait)});
  if (apart > kPhaseShift) {
    shares_ = short_shares_;
    since_phase_ = 1;
    ++phase_changes_;
  }
}

}  // namespace switchyard
