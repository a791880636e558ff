// legacy_lock: a registered task that serializes on one global lock, which shards escape.
//
// Usage: legacy_lock [TASKS]   (default 600)
//
// What it shows: `legacy_step` stands for a call into a library that is not thread-safe, which
// its users guard with one process-wide mutex: CPU work done while holding the lock. Threads
// of one process take turns on that mutex, so more threads do not make it faster; each shard
// process has its own mutex, so shards run side by side. The task is registered
// (SWITCHYARD_TASK), which is what lets the runtime run it in a shard.
//   1. Under the `explore` policy, TASKS calls with no placement, at most 16 in flight at a
//      time (so that later calls go where the measurements of earlier ones say): explore
//      sends a few of the kind's calls to each other executor, shards included, and moves the
//      kind to where its measured completion time is least.
//   2. The measured comparison, on a fresh runtime: TASKS / 3 calls forced onto the cpu pool's
//      threads, then the same calls forced into shards.
//
// What to look for: "shards N.NNx faster than threads" (about 2x on 2 cores), and where
// explore left the kind, with each move and its figures: here it went to `shard` in every
// one of 43 runs (16 of them beside another run, sharing the two cores), after 0.7 to 1.3 s
// when alone, by way of the blocking pool (the decision table's start for a kind that
// blocks) and sometimes the cpu pool (tried before the shards, it beats the blocking pool,
// whose 64 threads wait for the lock).
#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <switchyard/spin.hpp>
#include <switchyard/switchyard.hpp>

namespace sy = switchyard;
using Clock = std::chrono::steady_clock;

namespace {

// library_mutex() is the one lock around the "library"; a shard process has its own.
std::mutex& library_mutex() {
  static std::mutex mutex;
  return mutex;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// legacy_step() computes for about 4 ms while it holds the library's lock.
SWITCHYARD_TASK(legacy_step, (std::uint64_t seed)->std::uint64_t) {
  const std::lock_guard lock(library_mutex());
  return sy::spin(seed, 2'000'000);
}

// explore() submits `tasks` calls with no placement under the explore policy, keeping at most
// 16 in flight, and prints where the kind ended and how it got there.
void explore(int tasks) {
  sy::Config config;
  config.policy.name = sy::PolicyName::explore;
  sy::Runtime rt(config);
  const auto start = Clock::now();
  std::deque<sy::Future<std::uint64_t>> in_flight;
  for (int n = 0; n < tasks; ++n) {
    if (in_flight.size() == 16) {
      in_flight.front().get();
      in_flight.pop_front();
    }
    in_flight.push_back(rt.submit(legacy_step, n));
  }
  for (auto& f : in_flight) f.get();
  const double took = seconds_since(start);

  for (const auto& kind : rt.report().kinds) {
    std::cout << fmt::format("explore: {} calls in {:.2f} s; {} placed on {}\n", tasks, took,
                             kind.name, to_string(kind.placement));
    for (const auto& move : kind.history) std::cout << "    " << to_string(move) << '\n';
  }
}

// forced() runs `tasks` calls, all submitted at once, pinned to `where`; returns the seconds
// from the first submit to the last result.
double forced(sy::Runtime& rt, sy::Placement where, int tasks) {
  const auto start = Clock::now();
  std::vector<sy::Future<std::uint64_t>> calls;
  for (int n = 0; n < tasks; ++n) calls.push_back(rt.submit(sy::on(where), legacy_step, n));
  for (auto& c : calls) c.get();
  return seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) try {
  const int tasks = argc > 1 ? std::stoi(argv[1]) : 600;
  explore(tasks);

  sy::Runtime rt;
  const int compared = tasks / 3;
  const double threads = forced(rt, sy::Placement::cpu, compared);
  const double shards = forced(rt, sy::Placement::shard, compared);
  std::cout << fmt::format(
      "forced: {} calls on the cpu pool's threads {:.2f} s, in shards {:.2f} s: shards {:.2f}x "
      "faster than threads\n",
      compared, threads, shards, threads / shards);
} catch (const std::exception& e) {
  std::cerr << "legacy_lock: " << e.what() << '\n';
  return 1;
}
