// CounterSample: one reading of a thread's counters, and the figures derived from two.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace switchyard {

// CounterSample: what one thread's counters read at one moment. Plain data of fixed size, so
// the runtime can take one at every resume and suspend of a sampled task without allocating.
// Subtract two readings of the same ThreadCounters (operator-) for what happened in between,
// then derive figures with ipc() and its neighbours. A field means something only when its
// bit is set in `valid`: counters that are missing on this machine are flagged, never zero.
struct CounterSample {
  // max_events is how many planned events one sample holds; a CounterPlan never makes more
  // live than this.
  static constexpr std::size_t max_events = 8;

  // Field: bits of `valid`.
  enum Field : std::uint32_t {
    kEvents = 1u << 0,        // events[0, event_count): every live event of the plan
    kInstructions = 1u << 1,  // instructions
    kCycles = 1u << 2,        // cycles
    kCacheMisses = 1u << 3,   // cache_misses
    kRusage = 1u << 4,        // the four getrusage() fields below
    kCpuTime = 1u << 5,       // cpu_ns
  };

  // has() says whether every bit of `fields` is valid. Never blocks; any thread.
  bool has(std::uint32_t fields) const noexcept { return (valid & fields) == fields; }

  std::uint32_t valid = 0;
  // events holds one value per live event, in CounterPlan::events() order of the live ones
  // (PlannedEvent::slot); PAPI values count from ThreadCounters::start().
  std::array<std::uint64_t, max_events> events{};
  std::uint32_t event_count = 0;
  // The plan's instruction, cycle and cache-miss events, copied out of `events` so that
  // derived figures need no plan. cache_misses is the outermost cache level the plan counts.
  std::uint64_t instructions = 0;
  std::uint64_t cycles = 0;
  std::uint64_t cache_misses = 0;
  // Thread CPU time from clock_gettime(CLOCK_THREAD_CPUTIME_ID), since the thread began.
  std::uint64_t cpu_ns = 0;
  // getrusage(RUSAGE_THREAD), since the thread began: voluntary switches are the thread
  // blocking in the kernel, involuntary ones the kernel preempting it; major faults waited
  // for I/O.
  std::uint64_t voluntary_switches = 0;
  std::uint64_t involuntary_switches = 0;
  std::uint64_t minor_faults = 0;
  std::uint64_t major_faults = 0;
};

// operator- gives what happened between two samples of one ThreadCounters. A field is valid
// in the result when it is valid in both; a value that went backwards reads as 0. Never
// blocks; any thread.
CounterSample operator-(const CounterSample& later, const CounterSample& earlier) noexcept;

// operator+ sums two deltas (of one task's slices, or of many tasks), with the same validity
// rule. Never blocks; any thread.
CounterSample operator+(const CounterSample& a, const CounterSample& b) noexcept;

// ipc() is instructions per cycle over a delta, or nullopt when instructions or cycles are
// not counted (or no cycle passed). Never blocks; any thread.
std::optional<double> ipc(const CounterSample& delta) noexcept;

// cache_misses_per_kilo_instruction() is cache misses per 1000 instructions over a delta, or
// nullopt when either is not counted (or no instruction retired). Never blocks; any thread.
std::optional<double> cache_misses_per_kilo_instruction(const CounterSample& delta) noexcept;

// context_switches_per_task() is the thread's context switches (voluntary and involuntary)
// per task over a delta in which `tasks` tasks ran, or nullopt when getrusage() did not
// answer or no task ran. Never blocks; any thread.
std::optional<double> context_switches_per_task(const CounterSample& delta,
                                                std::uint64_t tasks) noexcept;

}  // namespace switchyard
