#include <switchyard/kind_profile.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace switchyard {

void KindProfile::add(const TaskSample& s, std::optional<Placement> home) noexcept {
  ++count_;
  if (s.failed) ++failures_;
  const Averages task{static_cast<double>(s.wall.count()), static_cast<double>(s.cpu.count()),
                      static_cast<double>(s.blocked.count()), static_cast<double>(s.wait().count()),
                      static_cast<double>(s.queued.count())};
  const Placement at = home.value_or(s.placement);
  if (s.placement != at || (home_ != at && task.cpu + task.blocked + task.wait <= 0)) {
    // Ran elsewhere, or shows nothing to restart from: the totals below only.
  } else if (home_ != at) {
    home_ = at;
    restart(task);
  } else {
    ++since_phase_;
    const double weight = std::max(1.0 / static_cast<double>(since_phase_), 1.0 / kWindow);
    auto fold = [weight](double& avg, double v) { avg += weight * (v - avg); };
    fold(avg_.wall, task.wall);
    fold(avg_.cpu, task.cpu);
    fold(avg_.blocked, task.blocked);
    fold(avg_.wait, task.wait);
    fold(avg_.queued, task.queued);
    if (fold_shares(task, weight)) {
      // A new phase: what the kind did before says nothing about it. The averages restart
      // from this task, the second (at least) to behave the new way.
      restart(task);
      ++phase_changes_;
    }
  }
  totals_.wall += s.wall;
  totals_.cpu += s.cpu;
  totals_.blocked += s.blocked;
  totals_.wait += s.wait();
  for (std::size_t i = 0; i < kWaitCauses; ++i) totals_.waits[i] += s.waits[i];
  totals_.joined += s.joined;
  totals_.queued += s.queued;
  totals_.migrations += s.migrations;
  wall_.add(s.wall);
  if (s.counters) {
    counter_totals_ = counted_ == 0 ? *s.counters : counter_totals_ + *s.counters;
    ++counted_;
  }
}

void KindProfile::restart(const Averages& task) noexcept {
  avg_ = task;
  shares_ = shares_of(task);
  short_shares_ = shares_;
  since_phase_ = 1;
  shared_ = 1;
}

KindProfile::Shares KindProfile::shares_of(const Averages& task) noexcept {
  const double active = task.cpu + task.blocked + task.wait;
  if (active <= 0) return {};
  return {task.cpu / active, task.blocked / active, task.wait / active};
}

bool KindProfile::fold_shares(const Averages& task, double weight) noexcept {
  if (task.cpu + task.blocked + task.wait <= 0) return false;
  const Shares mine = shares_of(task);
  auto fold = [&mine](Shares& avg, double w) {
    avg.cpu += w * (mine.cpu - avg.cpu);
    avg.blocked += w * (mine.blocked - avg.blocked);
    avg.wait += w * (mine.wait - avg.wait);
  };
  ++shared_;
  fold(short_shares_, std::max(1.0 / static_cast<double>(shared_), 1.0 / kShortWindow));
  fold(shares_, weight);
  return drift() > kPhaseShift;
}

double KindProfile::drift() const noexcept {
  return std::max({std::abs(short_shares_.cpu - shares_.cpu),
                   std::abs(short_shares_.blocked - shares_.blocked),
                   std::abs(short_shares_.wait - shares_.wait)});
}

}  // namespace switchyard
