// Workload: one benchmark of BENCHMARKS.md, and the list of those switchyard-bench runs.
#pragma once

#include <span>
#include <string_view>

#include <switchyard/runtime.hpp>

#include "options.hpp"
#include "outcome.hpp"

namespace switchyard::bench {

// Workload names a benchmark and the function that runs it on a started runtime. run()
// blocks until every task it spawned has finished, and measures from its first submission.
struct Workload {
  std::string_view name;
  std::string_view summary;  // one line, for --help
  bool needs_server = false;
  Outcome (*run)(const BenchOptions& options, Runtime& runtime) = nullptr;
  // registered_tasks: every task is a registered task, started by submit(), so --placement
  // shard can run it; spawn() throws std::invalid_argument for a shard hint.
  bool registered_tasks = false;
};

// workloads() lists every workload, in the order the usage message names them.
std::span<const Workload> workloads() noexcept;

// find_workload() is the workload called `name`; nullptr if there is none.
const Workload* find_workload(std::string_view name) noexcept;

// One function per workload, each in the file of its name.
Outcome run_cpu(const BenchOptions& options, Runtime& runtime);
Outcome run_fastio(const BenchOptions& options, Runtime& runtime);
Outcome run_slowio(const BenchOptions& options, Runtime& runtime);
Outcome run_mixed(const BenchOptions& options, Runtime& runtime);
Outcome run_phase(const BenchOptions& options, Runtime& runtime);
Outcome run_lock(const BenchOptions& options, Runtime& runtime);
Outcome run_stall(const BenchOptions& options, Runtime& runtime);
Outcome run_tcp_floor(const BenchOptions& options, Runtime& runtime);
Outcome run_fib(const BenchOptions& options, Runtime& runtime);
Outcome run_skynet(const BenchOptions& options, Runtime& runtime);
Outcome run_pingpong(const BenchOptions& options, Runtime& runtime);
Outcome run_channel(const BenchOptions& options, Runtime& runtime);
Outcome run_mutex(const BenchOptions& options, Runtime& runtime);

}  // namespace switchyard::bench
