#include "exec/alarm_clock.hpp"

#include <algorithm>
#include <mutex>

#include "exec/monitor_bell.hpp"

namespace switchyard::detail {

namespace {

std::int64_t ns_of(Alarm::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

void AlarmClock::Shard::note_first() noexcept {
  first_ns.store(alarms.empty() ? INT64_MAX : ns_of(alarms.begin()->deadline),
                 std::memory_order_seq_cst);
}

AlarmClock::Shard& AlarmClock::shard_of(const Alarm& alarm) noexcept {
  // An alarm keeps its address while armed: a hash of it names its shard, with nothing stored.
  const auto bits = reinterpret_cast<std::uintptr_t>(&alarm) * 0x9E3779B97F4A7C15u;
  return shards_[bits >> 58];
}

void AlarmClock::arm(Alarm& alarm) noexcept {
  Shard& s = shard_of(alarm);
  {
    std::lock_guard lk(s.lock);
    s.alarms.insert(alarm);
    s.note_first();
  }
  // After the deadline is published (sequentially consistent, as plan()'s side is): either
  // the monitor's plan saw it, or this sees the wake-up it planned without it.
  if (ns_of(alarm.deadline) < wake_ns_.load(std::memory_order_seq_cst)) bell_.hurry();
}

void AlarmClock::disarm(Alarm& alarm) noexcept {
  Shard& s = shard_of(alarm);
  std::lock_guard lk(s.lock);
  if (!alarm.hook.is_linked()) return;
  s.alarms.erase(s.alarms.iterator_to(alarm));
  s.note_first();
}

std::int64_t AlarmClock::plan(std::int64_t wake_ns) noexcept {
  wake_ns_.store(wake_ns, std::memory_order_seq_cst);
  for (const Shard& s : shards_) {
    wake_ns = std::min(wake_ns, s.first_ns.load(std::memory_order_seq_cst));
  }
  wake_ns_.store(wake_ns, std::memory_order_seq_cst);
  return wake_ns;
}

void AlarmClock::ring(std::int64_t now_ns) noexcept {
  for (Shard& s : shards_) {
    while (s.first_ns.load(std::memory_order_relaxed) <= now_ns) {
      std::shared_ptr<void> owner;
      Alarm::Ring call = nullptr;
      {
        std::lock_guard lk(s.lock);
        if (s.alarms.empty() || ns_of(s.alarms.begin()->deadline) > now_ns) break;
        Alarm& due = *s.alarms.begin();
        s.alarms.erase(s.alarms.begin());
        s.note_first();
        // Taken while the alarm is sure to exist: its keeper disarms it under this lock.
        owner = due.owner.lock();
        call = due.ring;
      }
      if (owner) call(owner.get());
    }
  }
}

}  // namespace switchyard::detail
