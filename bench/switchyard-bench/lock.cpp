// lock: lock_tasks CPU tasks, task i computing spin(i, iters) while it holds one process-wide
// mutex, a stand-in for a non-thread-safe library that its users guard with a single lock.
// Threads of one process serialize on that mutex; each shard process has its own, so shards
// do not. The task is registered (SWITCHYARD_TASK) so that it may run in a shard.
//
// The whole of spin() runs inside the lock (lock_share 1.0): a task's result is exactly
// spin(i, iters), so the checksum, the wrapping sum of the results, is the one the cpu
// workload gives for as many tasks and the same iters.
//
// Every call is submitted from this thread, which blocks in submit() while every shard has
// executors.shard_inflight calls (the shard pool's back-pressure); a task's latency starts
// before its submit(), so it includes that wait. The futures are then awaited in submission
// order and a task counts as finished when its get() returns: one that finished before an
// earlier task did counts as finished with it, so latencies include that wait as well. The
// makespan does not: the last get() returns when the last task finishes.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <vector>

#include <switchyard/future.hpp>
#include <switchyard/registered_task.hpp>
#include <switchyard/spin.hpp>

#include "workload.hpp"

namespace switchyard::bench {

namespace {

// kLockShare is the fraction of a task's iterations that run inside library_mutex(): all of
// them, as locked_spin below does.
constexpr double kLockShare = 1.0;

// library_mutex() is the process's one lock around the "library". In a shard process it is
// that process's own. Never blocks.
std::mutex& library_mutex() noexcept {
  static std::mutex mutex;
  return mutex;
}

// locked_spin is the lock workload's task: spin(seed, iters) inside library_mutex(). Blocks
// its thread while another task of the same process holds the mutex.
SWITCHYARD_TASK(locked_spin, (std::uint64_t seed, std::uint64_t iters)->std::uint64_t) {
  const std::lock_guard lock(library_mutex());
  return spin(seed, iters);
}

}  // namespace

Outcome run_lock(const BenchOptions& options, Runtime& runtime) {
  const Hint hint = hint_for(options.placement, Placement::shard);
  const auto count = static_cast<std::size_t>(options.lock_tasks);
  std::vector<Clock::time_point> submitted;
  std::vector<Future<std::uint64_t>> futures;
  submitted.reserve(count);
  futures.reserve(count);

  Outcome out;
  out.start = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    submitted.push_back(Clock::now());
    futures.push_back(runtime.submit(hint, locked_spin, std::uint64_t{i}, options.iters));
  }
  out.tasks = count;
  for (std::size_t i = 0; i < count; ++i) {
    try {
      const std::uint64_t value = futures[i].get();
      out.task_done(submitted[i], Clock::now());
      out.checksum += value;
    } catch (const std::exception& e) {
      out.errors.record(e.what());
    } catch (...) {
      out.errors.record("a task threw something that is not a std::exception");
    }
  }
  out.extra["lock_share"] = kLockShare;
  return out;
}

}  // namespace switchyard::bench
