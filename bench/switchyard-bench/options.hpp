// The command line of switchyard-bench: flags, defaults (BENCHMARKS.md) and the config they
// give the runtime.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <switchyard/config.hpp>

#include "placement_choice.hpp"

namespace switchyard::bench {

struct Workload;

// UsageError is a bad command line; what() names the flag and the value.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// RuntimeOptions are the flags that shape the Runtime every command starts.
struct RuntimeOptions {
  std::filesystem::path config;  // --config; empty: Config::discover()
  std::optional<bool> watchdog;  // --watchdog on|off; nullopt: as the config says
};

// BenchOptions are a workload run's flags. Every workload accepts all of them, as the peers
// do, so that one command line serves every workload and every peer.
struct BenchOptions {
  RuntimeOptions runtime;
  std::string server;         // --server HOST:PORT
  PlacementChoice placement;  // --placement; adaptive by default
  int cpu_tasks = 2000;
  int fast_requests = 4000;
  int fast_conns = 32;
  std::uint64_t fast_delay_us = 1000;
  int slow_conns = 10000;
  int slow_requests = 2;
  std::uint64_t slow_delay_us = 1000000;
  int phase_tasks = 2000;
  // phase_window and phase_delay_us are Switchyard's own (bench/peers/README.md): the phase
  // row of BENCHMARKS.md names only phase_tasks.
  int phase_window = 64;
  std::uint64_t phase_delay_us = 20000;
  int lock_tasks = 400;
  std::uint64_t iters = 200000;  // spin() iterations per CPU task
  int stall_tasks = 4;
  int stall_ticks = 1000;
  int stall_duration_ms = 1000;
  int fib_n = 40;
  int fib_cutoff = 21;          // at or below it a call computes; above it, it spawns two children
  int skynet_leaves = 1000000;  // a power of ten
  int pingpong_rounds = 100000;
  int channel_values = 1000000;
  int channel_capacity = 1024;  // 0: a rendezvous channel
  int mutex_tasks = 1000;
  int mutex_increments = 1000;
  // count_moves (--count-moves): count every kind's placement changes as the run goes
  // (MoveCounter), which the report alone keeps only the last of.
  bool count_moves = false;
};

// ServerOptions are the flags of a server command: delay-server, echo-server.
struct ServerOptions {
  RuntimeOptions runtime;
  std::string addr = "127.0.0.1:0";
  bool until_stdin_eof = false;
};

// parse_bench_options() parses `workload`'s flags, argv[0] being the workload's name. Returns
// nullopt after printing the help that --help asked for. Throws UsageError.
std::optional<BenchOptions> parse_bench_options(const Workload& workload, int argc, char** argv);

// parse_server_options() is parse_bench_options() for the server command `name`, whose --help
// says `description`.
std::optional<ServerOptions> parse_server_options(std::string_view name,
                                                  const std::string& description, int argc,
                                                  char** argv);

// runtime_config() is Config::discover() with --config, when given, standing in for
// SWITCHYARD_CONFIG (SWITCHYARD_REPORT and SWITCHYARD_TRACE still apply), then --watchdog.
// Blocks on file I/O. Throws ConfigError.
Config runtime_config(const RuntimeOptions& options);

}  // namespace switchyard::bench
