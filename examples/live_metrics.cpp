// live_metrics: a program that keeps working while it is watched, through the live metrics
// endpoint (Prometheus, switchyard-top).
//
// Usage: live_metrics [SECONDS]   (default 30; 0 runs until killed)
//
// What it shows: three kinds spawned with no placement, in waves, for SECONDS seconds:
//   crunch - computes for about 2 ms: the policy moves it to the cpu pool;
//   nap    - waits 20 ms through Switchyard's timer: it stays on fibers;
//   block  - sleeps 5 ms in a blocking call the runtime cannot see into: the watchdog catches
//            it holding a fiber worker and the policy moves it to the blocking pool;
//   shift  - changes phase every 10 s: waits like nap, then computes like crunch, and again;
//            the policy moves it each time, so that a watcher sees moves as they happen.
// It serves its metrics where the config's profiling.metrics says (SWITCHYARD_CONFIG names
// the file; without one it listens on 127.0.0.1:0) and prints that address on its first
// line, so that a scraper or `switchyard-top ADDRESS` can attach.
//
// What to look for: with `switchyard-top`, each kind's placement and its move as it happens;
// in Prometheus, switchyard_kind_tasks_total growing per kind.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <vector>

#include <switchyard/spin.hpp>
#include <switchyard/switchyard.hpp>

namespace sy = switchyard;

// kPhase is how long `shift` keeps one behaviour.
constexpr std::chrono::seconds kPhase{10};

int main(int argc, char** argv) try {
  const int seconds = argc > 1 ? std::stoi(argv[1]) : 30;
  sy::Config config = sy::Config::discover();
  if (config.profiling.metrics.empty()) config.profiling.metrics = "127.0.0.1:0";
  sy::Runtime rt(config);
  std::cout << rt.metrics_address() << std::endl;
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  std::uint64_t checksum = 0;
  for (std::uint64_t wave = 0; seconds == 0 || std::chrono::steady_clock::now() < end; ++wave) {
    std::vector<sy::Future<std::uint64_t>> crunches;
    std::vector<sy::Future<void>> others;
    for (int i = 0; i < 8; ++i) {
      crunches.push_back(rt.spawn("crunch", [wave] { return sy::spin(wave, 2'000'000); }));
      others.push_back(
          rt.spawn("nap", [] { sy::this_task::sleep_for(std::chrono::milliseconds(20)); }));
      others.push_back(rt.spawn("block", [] { ::usleep(5'000); }));
    }
    const bool computing = (std::chrono::steady_clock::now() - start) / kPhase % 2 == 1;
    for (int i = 0; i < 4; ++i) {
      crunches.push_back(rt.spawn("shift", [computing, wave]() -> std::uint64_t {
        if (computing) return sy::spin(wave, 2'000'000);
        sy::this_task::sleep_for(std::chrono::milliseconds(20));
        return 0;
      }));
    }
    for (auto& f : crunches) checksum += f.get();
    for (auto& f : others) f.get();
  }
  std::cout << "checksum " << checksum << '\n';
} catch (const std::exception& e) {
  std::cerr << "live_metrics: " << e.what() << '\n';
  return 1;
}
