// profile_counters: a few kinds measured with the hardware and OS counters, and the files the
// runtime writes about them.
//
// Usage: profile_counters [OUT_DIR]   (default: the working directory)
//
// What it shows: three kinds, 200 tasks each: `crunch` computes, `nap` waits through
// Switchyard's timer, `syscall` sleeps in the kernel (a blocking call). The config reads the
// counters around every task (profiling.sample_every and count_every = 1; by default the
// runtime samples, to keep the cost down) and names a report and a trace file
// (profiling.report and profiling.trace, which SWITCHYARD_REPORT and SWITCHYARD_TRACE set
// for any program), written when the runtime shuts down.
//
// What to look for: which counters are live on this machine and, for each missing one, why
// (a VM without a PMU has no instruction or cache counters: IPC is then "n/a"); per kind, the
// counters' means per task (perf::TASK-CLOCK: CPU ns; crunch's is milliseconds, the others'
// microseconds) and context switches per task (syscall's one per task: it gives up its thread
// in the kernel); then the two files: OUT_DIR/profile_counters.report.json (docs/report.md;
// `switchyard-report` makes it an HTML page) and OUT_DIR/profile_counters.trace.json (open it
// in https://ui.perfetto.dev).
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <switchyard/spin.hpp>
#include <switchyard/switchyard.hpp>

namespace sy = switchyard;
namespace fs = std::filesystem;

namespace {

// figure() prints an optional figure, or "n/a" where the counters it needs are missing.
std::string figure(const std::optional<double>& value) {
  return value ? fmt::format("{:.2f}", *value) : "n/a";
}

}  // namespace

int main(int argc, char** argv) try {
  const fs::path out_dir = argc > 1 ? argv[1] : ".";
  fs::create_directories(out_dir);
  sy::Config config = sy::Config::discover();
  config.profiling.sample_every = 1;
  config.profiling.count_every = 1;
  config.profiling.report = out_dir / "profile_counters.report.json";
  config.profiling.trace = out_dir / "profile_counters.trace.json";
  sy::Runtime rt(config);

  std::atomic<std::uint64_t> checksum{0};  // keeps the computation from being optimised away
  std::vector<sy::Future<void>> tasks;
  for (int n = 0; n < 200; ++n) {
    tasks.push_back(rt.spawn("crunch", [&checksum, n] {
      checksum += sy::spin(static_cast<std::uint64_t>(n), 500'000);
    }));
    tasks.push_back(
        rt.spawn("nap", [] { sy::this_task::sleep_for(std::chrono::milliseconds(5)); }));
    tasks.push_back(rt.spawn("syscall", [] { ::usleep(1000); }));
  }
  for (auto& t : tasks) t.get();

  const sy::Report report = rt.report();
  std::cout << "counters: " << report.counters.papi << '\n';
  for (const auto& event : report.counters.events) {
    std::cout << fmt::format(
        "  {:<24} {}\n", event.requested,
        event.live ? "live, counted by " + event.counted_by : "missing: " + event.reason);
  }
  for (const auto& kind : report.kinds) {
    std::cout << fmt::format(
        "\n{} on {}: {} tasks, {} counted; IPC {}, cache misses per 1000 "
        "instructions {}, context switches per task {}\n",
        kind.name, to_string(kind.placement), kind.finished, kind.counted, figure(kind.ipc),
        figure(kind.cache_misses_per_kilo_instruction), figure(kind.context_switches_per_task));
    for (const auto& [event, mean] : kind.counters_per_task) {
      std::cout << fmt::format("  {:<24} {:>14.1f} per task\n", event, mean);
    }
  }

  rt.shutdown(std::chrono::seconds(1));  // writes the report and the trace
  std::cout << fmt::format("\nwrote the report to {}\nwrote the trace to {}\n",
                           config.profiling.report.string(), config.profiling.trace.string());
} catch (const std::exception& e) {
  std::cerr << "profile_counters: " << e.what() << '\n';
  return 1;
}
