// The workloads written the way oneTBB users write them, with TBB's work-stealing scheduler
// doing the rest: cpu is one task_group with a task per spin(i, iters); fib is fork-join
// fib(fib_n), every call above fib_cutoff running its two children in a task_group of its own
// and waiting for them, the others computing sequentially (the same code as Switchyard's).
//
// Usage: tbb-peer cpu|fib|check [--cpu-tasks N] [--iters N] [--fib-n N] [--fib-cutoff N]

#include <tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include <switchyard/spin.hpp>

#include "cxx_peer.hpp"
#include "fib_kernel.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// The benchmark's CPU kernel: the one every workload shares, so the checksums agree.
using switchyard::spin;
using switchyard::bench::fib_sequential;
using switchyard::bench::fib_tasks;

int check() {
  constexpr std::uint64_t want = 12944723528927218710ULL;
  std::uint64_t got = 0;
  for (std::uint64_t i = 0; i < 20; ++i) got += spin(i, 200000);
  if (got != want) {
    std::fprintf(stderr, "spin check failed: 20 x 200000 gave %" PRIu64 ", want %" PRIu64 "\n", got,
                 want);
    return 1;
  }
  std::printf("spin check ok: 20 x 200000 -> %" PRIu64 "\n", got);
  return 0;
}

// Nearest rank, the rule every peer uses.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int run_cpu(std::uint64_t tasks, std::uint64_t iters) {
  std::vector<double> latency_ms(tasks);
  std::atomic<std::uint64_t> checksum{0};
  const auto start = Clock::now();
  tbb::task_group group;
  for (std::uint64_t i = 0; i < tasks; ++i) {
    group.run([&, i, submitted = Clock::now()] {
      checksum.fetch_add(spin(i, iters), std::memory_order_relaxed);
      latency_ms[i] = std::chrono::duration<double, std::milli>(Clock::now() - submitted).count();
    });
  }
  group.wait();
  const double makespan = seconds_since(start);
  std::sort(latency_ms.begin(), latency_ms.end());
  peers::print_result({"cpu", "tbb", tasks, makespan, quantile(latency_ms, 0.50),
                       quantile(latency_ms, 0.99), checksum.load()});
  return 0;
}

std::uint64_t fib_tasked(int n, int cutoff) {
  if (n <= cutoff) return fib_sequential(n);
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  tbb::task_group children;
  children.run([&] { a = fib_tasked(n - 1, cutoff); });
  children.run([&] { b = fib_tasked(n - 2, cutoff); });
  children.wait();
  return a + b;
}

int run_fib(int n, int cutoff) {
  const auto start = Clock::now();
  const std::uint64_t value = fib_tasked(n, cutoff);
  const double makespan = seconds_since(start);
  peers::print_result(
      {"fib", "tbb", fib_tasks(n, cutoff), makespan, makespan * 1e3, makespan * 1e3, value});
  return 0;
}

int usage() {
  std::fputs(
      "usage: tbb-peer cpu|fib|check [--cpu-tasks N] [--iters N] [--fib-n N (1..50)] "
      "[--fib-cutoff N (1..)]\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string_view workload = argv[1];
  std::uint64_t tasks = 2000;
  std::uint64_t iters = 200000;
  std::uint64_t fib_n = 40;
  std::uint64_t fib_cutoff = 21;
  if (!peers::parse_flags(argc, argv, 2,
                          {{"--cpu-tasks", &tasks},
                           {"--iters", &iters},
                           {"--fib-n", &fib_n},
                           {"--fib-cutoff", &fib_cutoff},
                           {"--server", {}}})) {
    return usage();
  }
  if (workload == "check") return check();
  if (workload == "cpu") return run_cpu(tasks, iters);
  if (workload == "fib") {
    constexpr int max_n = switchyard::bench::kMaxFibN;
    if (fib_n > max_n || fib_cutoff < 1) return usage();
    // A cutoff at or above n computes the whole of fib(n) in the root.
    return run_fib(static_cast<int>(fib_n),
                   static_cast<int>(std::min<std::uint64_t>(fib_cutoff, max_n)));
  }
  return usage();
}
