// phase_change: one kind whose behaviour flips half way, and the runtime moving it.
//
// Usage: phase_change [TASKS]   (default 400)
//
// What it shows: TASKS tasks of one kind, `phase`. The first half wait 20 ms each through
// Switchyard's timer (they belong on fibers); the second half compute for about 4 ms each
// (they belong on the cpu pool). The main thread keeps at most 16 in flight, spawning the
// next as the oldest finishes, so the change happens while the runtime is measuring the
// kind. Its profile notices that its recent tasks no longer look like its history (a change
// of phase), starts afresh from them, and the policy re-places the kind within a few tasks.
// Each task reports the executor it ran on.
//
// What to look for: the kind's move "fiber -> cpu" with the rule, the measured cpu share and
// the threshold, and how many of the computing tasks still ran on fibers: those that started
// before the move (after warm-up one task in 8 is measured, so the first computing tasks
// go unnoticed until a measured one finishes; from then on every task is measured until the
// change is confirmed), and a task that never suspends finishes where it started.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <iostream>

#include <fmt/format.h>

#include <switchyard/spin.hpp>
#include <switchyard/switchyard.hpp>

namespace sy = switchyard;

int main(int argc, char** argv) try {
  const int tasks = argc > 1 ? std::stoi(argv[1]) : 400;
  const int half = tasks / 2;
  sy::Runtime rt;
  std::atomic<std::uint64_t> checksum{0};  // keeps the computation from being optimised away
  std::deque<sy::Future<sy::Placement>> in_flight;
  int collected = 0;
  int computed_on_fiber = 0;
  // Tasks finish roughly in the order they were spawned: the oldest is the one to wait for.
  const auto collect_oldest = [&] {
    const sy::Placement ran_on = in_flight.front().get();
    in_flight.pop_front();
    if (collected++ >= half && ran_on == sy::Placement::fiber) ++computed_on_fiber;
  };
  for (int n = 0; n < tasks; ++n) {
    if (in_flight.size() == 16) collect_oldest();
    in_flight.push_back(rt.spawn("phase", [&checksum, n, waits = n < half] {
      if (waits) {
        sy::this_task::sleep_for(std::chrono::milliseconds(20));
      } else {
        checksum += sy::spin(static_cast<std::uint64_t>(n), 2'000'000);
      }
      return *sy::this_task::placement();
    }));
  }
  while (!in_flight.empty()) collect_oldest();

  std::cout << fmt::format(
      "{} tasks of kind `phase`: {} waiting 20 ms each, then {} computing ~4 ms each\n", tasks,
      half, tasks - half);
  std::cout << fmt::format("computing tasks that still ran on fibers: {} of {}\n",
                           computed_on_fiber, tasks - half);
  const sy::Report report = rt.report();
  for (const auto& kind : report.kinds) {
    std::cout << fmt::format("under the {} policy, {} is on {} now; its moves:{}\n", report.policy,
                             kind.name, to_string(kind.placement),
                             kind.history.empty() ? " none" : "");
    for (const auto& move : kind.history) std::cout << "    " << to_string(move) << '\n';
  }
} catch (const std::exception& e) {
  std::cerr << "phase_change: " << e.what() << '\n';
  return 1;
}
