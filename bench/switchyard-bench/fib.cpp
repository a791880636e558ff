// fib: fork-join fib(fib_n) with a cutoff, as a program written against the public API would
// do it: every call above fib_cutoff spawns its two children from inside its task, with the
// runtime captured and no hint, and waits for them with get(); at or below the cutoff a call
// computes fib sequentially. The checksum is fib(fib_n); `tasks` counts every call, the root
// included. A single task's latency means nothing here: p50 and p99 are the root's.
#include <cstdint>
#include <exception>

#include <switchyard/future.hpp>

#include "fib_kernel.hpp"
#include "workload.hpp"

namespace switchyard::bench {

namespace {

std::uint64_t fib_tasked(Runtime& runtime, Hint hint, int n, int cutoff) {
  if (n <= cutoff) return fib_sequential(n);
  Future<std::uint64_t> a = runtime.spawn(
      "fib", [&runtime, hint, n, cutoff] { return fib_tasked(runtime, hint, n - 1, cutoff); },
      hint);
  Future<std::uint64_t> b = runtime.spawn(
      "fib", [&runtime, hint, n, cutoff] { return fib_tasked(runtime, hint, n - 2, cutoff); },
      hint);
  return a.get() + b.get();
}

}  // namespace

Outcome run_fib(const BenchOptions& options, Runtime& runtime) {
  const Hint hint = hint_for(options.placement, Placement::cpu);
  const int n = options.fib_n;
  const int cutoff = options.fib_cutoff;
  Outcome out;
  out.tasks = fib_tasks(n, cutoff);
  out.start = Clock::now();
  Future<std::uint64_t> root = runtime.spawn(
      "fib", [&runtime, hint, n, cutoff] { return fib_tasked(runtime, hint, n, cutoff); }, hint);
  try {
    out.checksum = root.get();
    out.task_done(out.start, Clock::now());
  } catch (const std::exception& e) {
    out.errors.record(e.what());
  }
  out.extra["fib_n"] = n;
  out.extra["fib_cutoff"] = cutoff;
  return out;
}

}  // namespace switchyard::bench
