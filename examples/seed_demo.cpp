// seed_demo: the three classic cases, spawned with no placement, and where Switchyard put them.
//
// What it shows: one program spawns three kinds of task through the same call, naming no
// executor:
//   sum   - a big sum split into chunks: pure CPU work;
//   fetch - many short requests through a blocking call (a stand-in for a blocking client
//           library: the thread sleeps in the kernel for 2 ms);
//   wait  - thousands of slow waits through Switchyard's own timers (1 s each).
// Every kind starts on the fiber executor; after its first tasks are measured the policy
// moves it. What to look for: `sum` ends on the cpu pool (its cpu share is high), `fetch` on
// the blocking pool (blocked share high), `wait` stays on fibers (wait share high), and the
// "moves" lines say when and why each kind moved.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <vector>

#include <fmt/format.h>

#include <switchyard/microbenchmarks.hpp>
#include <switchyard/switchyard.hpp>

namespace sy = switchyard;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main() {
  sy::Runtime rt;
  std::cout << fmt::format("Switchyard seed demo on {} cores (config: {})\n\n",
                           rt.topology().core_count(), rt.config().source);

  const auto start = Clock::now();
  std::vector<sy::Future<std::uint64_t>> sums;
  std::vector<sy::Future<void>> fetches;
  std::vector<sy::Future<void>> waits;
  for (std::uint64_t chunk = 0; chunk < 200; ++chunk) {
    sums.push_back(rt.spawn("sum", [chunk] { return sy::spin(chunk, 2'000'000); }));
  }
  for (int i = 0; i < 400; ++i) {
    fetches.push_back(rt.spawn("fetch", [] { ::usleep(2000); }));
  }
  for (int i = 0; i < 5000; ++i) {
    waits.push_back(rt.spawn("wait", [] { sy::this_task::sleep_for(std::chrono::seconds(1)); }));
  }

  std::uint64_t total = 0;
  for (auto& f : sums) total += f.get();
  const double sum_s = seconds_since(start);
  for (auto& f : fetches) f.get();
  const double fetch_s = seconds_since(start);
  for (auto& f : waits) f.get();
  const double wait_s = seconds_since(start);

  std::cout << fmt::format("sum   : 200 chunks x 2M iterations, checksum {}, done at {:.2f} s\n",
                           total, sum_s);
  std::cout << fmt::format("fetch : 400 blocking 2 ms calls, done at {:.2f} s\n", fetch_s);
  std::cout << fmt::format("wait  : 5000 waits of 1 s, done at {:.2f} s\n\n", wait_s);
  std::cout
      << "Where each kind ran, and why. cpu, block and wait are shares of the time its tasks\n"
         "were running or waiting (not queued): what the task does. queued is the share of\n"
         "wall time spent waiting for a thread: how loaded the executor was.\n";
  rt.report().print(std::cout);
}
