// The cpu workload written the way oneTBB users write it: one task_group,
// one task per spin(i, iters), and TBB's work-stealing scheduler doing the
// rest.
//
// Usage: tbb-cpu-peer cpu|check [--cpu-tasks N] [--iters N]

#include <sys/resource.h>

#include <tbb/task_group.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <switchyard/spin.hpp>

namespace {

using Clock = std::chrono::steady_clock;

// The benchmark's CPU kernel: the one every workload shares, so the checksums agree.
using switchyard::spin;

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

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

int run(std::uint64_t tasks, std::uint64_t iters) {
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
  const double makespan = std::chrono::duration<double>(Clock::now() - start).count();

  std::sort(latency_ms.begin(), latency_ms.end());
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("{\"workload\":\"cpu\",\"placement\":\"tbb\",\"tasks\":%" PRIu64
              ",\"makespan_s\":%.6f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"checksum\":%" PRIu64
              ",\"cpu_s\":%.6f,\"max_rss_kb\":%ld}\n",
              tasks, makespan, quantile(latency_ms, 0.50), quantile(latency_ms, 0.99),
              checksum.load(), seconds(ru.ru_utime) + seconds(ru.ru_stime), ru.ru_maxrss);
  return 0;
}

int usage() {
  std::fputs("usage: tbb-cpu-peer cpu|check [--cpu-tasks N] [--iters N]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string_view workload = argv[1];
  std::uint64_t tasks = 2000;
  std::uint64_t iters = 200000;
  // Flags come as "--name value" or "--name=value", as with the other peers.
  // --server is accepted and ignored so that every peer takes one command line.
  for (int a = 2; a < argc; ++a) {
    std::string_view name = argv[a];
    std::string value;
    if (const auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (a + 1 < argc) {
      value = argv[++a];
    } else {
      return usage();
    }
    try {
      if (name == "--cpu-tasks") {
        tasks = std::stoull(value);
      } else if (name == "--iters") {
        iters = std::stoull(value);
      } else if (name != "--server") {
        return usage();
      }
    } catch (const std::logic_error&) {
      return usage();
    }
  }
  if (workload == "check") return check();
  if (workload == "cpu") return run(tasks, iters);
  return usage();
}
