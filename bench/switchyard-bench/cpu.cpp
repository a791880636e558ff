// cpu: cpu_tasks tasks, task i computing spin(i, iters): pure computation, no I/O and no
// waits, the work that belongs on the CPU pool. The checksum is the wrapping sum of the
// results, which BENCHMARKS.md gives a test vector for.
#include <cstddef>
#include <cstdint>

#include <switchyard/spin.hpp>

#include "timed_tasks.hpp"
#include "workload.hpp"

namespace switchyard::bench {

Outcome run_cpu(const BenchOptions& options, Runtime& runtime) {
  const Hint hint = hint_for(options.placement, Placement::cpu);
  const auto count = static_cast<std::size_t>(options.cpu_tasks);
  TimedTasks<std::uint64_t> tasks;
  tasks.reserve(count);

  Outcome out;
  out.start = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    tasks.spawn(runtime, "cpu", hint,
                [seed = std::uint64_t{i}, iters = options.iters] { return spin(seed, iters); });
  }
  tasks.collect(out, [&](std::size_t, std::uint64_t value) { out.checksum += value; });
  return out;
}

}  // namespace switchyard::bench
