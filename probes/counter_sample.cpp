#include <switchyard/counter_sample.hpp>

namespace switchyard {

namespace {

std::uint64_t since(std::uint64_t later, std::uint64_t earlier) noexcept {
  return later > earlier ? later - earlier : 0;
}

std::uint64_t plus(std::uint64_t a, std::uint64_t b) noexcept {
  return a + b;
}

// combine() applies `op` field by field; a field is valid in the result when it is valid in
// both operands (and the events when both count the same number of them).
CounterSample combine(const CounterSample& a, const CounterSample& b,
                      std::uint64_t (*op)(std::uint64_t, std::uint64_t)) noexcept {
  CounterSample r;
  r.valid = a.valid & b.valid;
  if (a.event_count != b.event_count) r.valid &= ~CounterSample::kEvents;
  if (r.has(CounterSample::kEvents)) {
    r.event_count = a.event_count;
    for (std::size_t i = 0; i < a.event_count; ++i) r.events[i] = op(a.events[i], b.events[i]);
  }
  r.instructions = op(a.instructions, b.instructions);
  r.cycles = op(a.cycles, b.cycles);
  r.cache_misses = op(a.cache_misses, b.cache_misses);
  r.cpu_ns = op(a.cpu_ns, b.cpu_ns);
  r.voluntary_switches = op(a.voluntary_switches, b.voluntary_switches);
  r.involuntary_switches = op(a.involuntary_switches, b.involuntary_switches);
  r.minor_faults = op(a.minor_faults, b.minor_faults);
  r.major_faults = op(a.major_faults, b.major_faults);
  return r;
}

}  // namespace

CounterSample operator-(const CounterSample& later, const CounterSample& earlier) noexcept {
  return combine(later, earlier, since);
}

CounterSample operator+(const CounterSample& a, const CounterSample& b) noexcept {
  return combine(a, b, plus);
}

std::optional<double> ipc(const CounterSample& delta) noexcept {
  if (!delta.has(CounterSample::kInstructions | CounterSample::kCycles) || delta.cycles == 0) {
    return std::nullopt;
  }
  return static_cast<double>(delta.instructions) / static_cast<double>(delta.cycles);
}

std::optional<double> cache_misses_per_kilo_instruction(const CounterSample& delta) noexcept {
  if (!delta.has(CounterSample::kInstructions | CounterSample::kCacheMisses) ||
      delta.instructions == 0) {
    return std::nullopt;
  }
  return 1000.0 * static_cast<double>(delta.cache_misses) / static_cast<double>(delta.instructions);
}

std::optional<double> context_switches_per_task(const CounterSample& delta,
                                                std::uint64_t tasks) noexcept {
  if (!delta.has(CounterSample::kRusage) || tasks == 0) return std::nullopt;
  return static_cast<double>(delta.voluntary_switches + delta.involuntary_switches) /
         static_cast<double>(tasks);
}

}  // namespace switchyard
