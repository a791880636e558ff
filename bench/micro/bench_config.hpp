// The microbenchmarks' runtime config: how much of each task the runtime measures.
#pragma once

#include <cstdint>
#include <limits>

#include <switchyard/config.hpp>

namespace switchyard::bench {

// Sampling: what the runtime reads around a task. `timed`: the clocks and getrusage() (what a
// sampled task pays); `counted`: the thread counters as well; `unmeasured`: nothing.
enum class Sampling { unmeasured, timed, counted };

// bench_config() measures every task as `sampling` says, and leaves background calibration
// off so that it cannot run beside a measurement.
inline Config bench_config(Sampling sampling) {
  constexpr auto never = std::numeric_limits<std::uint32_t>::max();
  Config c;
  c.profiling.warmup = sampling == Sampling::counted ? never : 0;
  c.profiling.sample_every = sampling == Sampling::unmeasured ? never : 1;
  c.profiling.count_every = never;
  c.profiling.calibrate = false;
  return c;
}

}  // namespace switchyard::bench
