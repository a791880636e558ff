#include <switchyard/counter_sample.hpp>

namespace switchyard {

namespace {

std::uint64_t since(std::uint64_t later, std::uint64_t earlier) noexcept {
  return later > earlier ? later - earlier : 0;
}

}  // namespace

CounterSample operator-(const CounterSample& later, const CounterSample& earlier) noexcept {
  CounterSample delta;
  delta.valid = later.valid & earlier.valid;
  if (later.event_count != earlier.event_count) delta.valid &= ~CounterSample::kEvents;
  if (delta.has(CounterSample::kEvents)) {
    delta.event_count = later.event_count;
    for (std::size_t i = 0; i < later.event_count; ++i) {
      delta.events[i] = since(later.events[i], earlier.events[i]);
    }
  }
  delta.instructions = since(later.instructions, earlier.instructions);
  delta.cycles = since(later.cycles, earlier.cycles);
  delta.cache_misses = since(later.cache_misses, earlier.cache_misses);
  delta.cpu_ns = since(later.cpu_ns, earlier.cpu_ns);
  delta.voluntary_switches = since(later.voluntary_switches, earlier.voluntary_switches);
  delta.involuntary_switches = since(later.involuntary_switches, earlier.involuntary_switches);
  delta.minor_faults = since(later.minor_faults, earlier.minor_faults);
  delta.major_faults = since(later.major_faults, earlier.major_faults);
  return delta;
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
