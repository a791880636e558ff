// The floor beside spawn_join_from_thread/cpu: a plain thread hands a trivial task to a oneTBB
// arena as a oneTBB user would (the default arena: its workers, one per core less the caller's
// slot) and blocks until it has run.
#include <future>

#include <benchmark/benchmark.h>
#include <oneapi/tbb/task_arena.h>

namespace {

void tbb_round_trip_from_thread(benchmark::State& state) {
  tbb::task_arena arena;
  for (auto _ : state) {
    std::promise<void> done;
    std::future<void> finished = done.get_future();
    arena.enqueue([&done] { done.set_value(); });
    finished.get();
  }
}
BENCHMARK(tbb_round_trip_from_thread)->UseRealTime();

}  // namespace
