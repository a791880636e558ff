// mutex: mutex_tasks tasks each add 1 to one counter mutex_increments times, taking one
// switchyard::Mutex around every increment; the peer does the same with goroutines and a
// sync.Mutex. The figure is the makespan; the checksum is the final count, tasks x increments.
#include <cstdint>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include <switchyard/future.hpp>
#include <switchyard/mutex.hpp>

#include "workload.hpp"

namespace switchyard::bench {

Outcome run_mutex(const BenchOptions& options, Runtime& runtime) {
  const Hint hint = hint_for(options.placement, Placement::fiber);
  const auto tasks = static_cast<std::size_t>(options.mutex_tasks);
  const auto increments = static_cast<std::uint64_t>(options.mutex_increments);
  Mutex mutex;
  std::uint64_t counter = 0;  // guarded by mutex
  std::vector<Future<void>> futures;
  futures.reserve(tasks);
  Outcome out;
  out.tasks = tasks;
  out.start = Clock::now();
  for (std::size_t t = 0; t < tasks; ++t) {
    futures.push_back(runtime.spawn(
        "mutex",
        [&] {
          for (std::uint64_t i = 0; i < increments; ++i) {
            const std::lock_guard lock(mutex);
            ++counter;
          }
        },
        hint));
  }
  for (auto& f : futures) {
    try {
      f.get();
    } catch (const std::exception& e) {
      out.errors.record(e.what());
    }
  }
  out.task_done(out.start, Clock::now());
  out.checksum = counter;
  if (counter != tasks * increments) {
    out.errors.record("mutex: the counter reached " + std::to_string(counter) + ", want " +
                      std::to_string(tasks * increments));
  }
  return out;
}

}  // namespace switchyard::bench
