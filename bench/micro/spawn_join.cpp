// Spawn+join of an empty task on each executor, beside raw Boost.Fiber spawn+join, in one run.
//
// Floors: raw Boost.Fiber as its users write it (`fiber f(fn); f.join();`, Boost's default
// stack allocator), and with a pooled stack allocator (closer to what Switchyard does).
// Switchyard: a task spawning and joining a child on the fiber executor (the like-for-like
// comparison: both on one thread, no hand-off), and a plain thread spawning onto each
// executor and waiting (a cross-thread hand-off and wake-up each way). The `unmeasured`
// variants turn per-task measurement off, so the difference is what measurement costs.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <limits>

#include <boost/fiber/all.hpp>

#include <switchyard/switchyard.hpp>

#include "bench_config.hpp"

namespace sy = switchyard;

namespace {

using sy::bench::bench_config;
using sy::bench::Sampling;

void raw_boost_fiber(benchmark::State& state) {
  for (auto _ : state) {
    boost::fibers::fiber f([] {});
    f.join();
  }
}
BENCHMARK(raw_boost_fiber)->UseRealTime();

void raw_boost_fiber_pooled_stack(benchmark::State& state) {
  boost::fibers::pooled_fixedsize_stack stacks(64 * 1024);
  for (auto _ : state) {
    boost::fibers::fiber f(std::allocator_arg, stacks, [] {});
    f.join();
  }
}
BENCHMARK(raw_boost_fiber_pooled_stack)->UseRealTime();

// A task on the fiber executor spawns a child there and joins it: the child goes on the
// parent's own run queue and runs when the parent suspends in get().
void spawn_join_in_task(benchmark::State& state, Sampling sampling) {
  sy::Runtime rt(bench_config(sampling));
  rt.spawn(
        "bench",
        [&] {
          for (auto _ : state)
            rt.spawn(
                  "child", [] {}, sy::on(sy::Placement::fiber))
                .get();
        },
        sy::on(sy::Placement::fiber))
      .get();
}
BENCHMARK_CAPTURE(spawn_join_in_task, counted, Sampling::counted)->UseRealTime();
BENCHMARK_CAPTURE(spawn_join_in_task, measured, Sampling::timed)->UseRealTime();
BENCHMARK_CAPTURE(spawn_join_in_task, unmeasured, Sampling::unmeasured)->UseRealTime();

// A plain thread hands a task to an executor and blocks until it is done.
void spawn_join_from_thread(benchmark::State& state, sy::Placement where) {
  sy::Runtime rt(bench_config(Sampling::timed));
  for (auto _ : state)
    rt.spawn(
          "child", [] {}, sy::on(where))
        .get();
}
BENCHMARK_CAPTURE(spawn_join_from_thread, fiber, sy::Placement::fiber)->UseRealTime();
BENCHMARK_CAPTURE(spawn_join_from_thread, cpu, sy::Placement::cpu)->UseRealTime();
BENCHMARK_CAPTURE(spawn_join_from_thread, blocking, sy::Placement::blocking)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
