// switchyard-bench: the workloads of BENCHMARKS.md on Switchyard, and the delay server they
// talk to. Flags, defaults and JSON fields are those of the peers in bench/peers/.
//
//   switchyard-bench delay-server [--addr 127.0.0.1:0] [--until-stdin-eof]
//       Serves `D <delay_us> <reply_bytes>` requests, and the same as HTTP GETs of
//       /delay?us=<delay_us>&bytes=<reply_bytes> for HTTP client libraries; prints its address
//       on the first line;
//       stops at SIGINT or SIGTERM, or when a harness holding its standard input closes it.
//   switchyard-bench cpu [--cpu-tasks 2000] [--iters 200000]
//   switchyard-bench fastio --server HOST:PORT [--fast-requests 4000] [--fast-conns 32]
//                           [--fast-delay-us 1000]
//   switchyard-bench slowio --server HOST:PORT [--slow-conns 10000] [--slow-requests 2]
//                           [--slow-delay-us 1000000]
//   switchyard-bench mixed --server HOST:PORT [the flags of cpu, fastio and slowio]
//   switchyard-bench phase --server HOST:PORT [--phase-tasks 2000] [--phase-window 64]
//                          [--phase-delay-us 20000] [--iters 200000]
//   switchyard-bench lock [--lock-tasks 400] [--iters 200000]
//   switchyard-bench stall [--stall-tasks 4] [--stall-ticks 1000] [--stall-duration-ms 1000]
//   switchyard-bench tcp-floor [--slow-conns 10000] [--slow-requests 2] [--slow-delay-us 1000000]
//       slowio's floor on this machine: raw loopback connections, no runtime.
//   switchyard-bench fib [--fib-n 40] [--fib-cutoff 21]
//   switchyard-bench skynet [--skynet-leaves 1000000]
//   switchyard-bench pingpong [--pingpong-rounds 100000]
//   switchyard-bench channel [--channel-values 1000000] [--channel-capacity 1024]
//   switchyard-bench mutex [--mutex-tasks 1000] [--mutex-increments 1000]
//   switchyard-bench echo-server [--addr 127.0.0.1:0] [--until-stdin-eof]
//       A line-echo server, a task per connection; bench/echo-load drives it.
//
// Every command also takes --config FILE (a switchyard.toml; else the one Config::discover()
// finds) and --watchdog on|off; a workload takes --count-moves (adds `counted_moves`: each
// kind's placement changes, counted as the run goes) and --placement
// adaptive|fiber|cpu|blocking|shard|oracle (default adaptive: the runtime decides; oracle:
// each kind where it belongs, by hand; shard only for lock, whose tasks are registered). A
// workload prints one JSON object on standard output, e.g.
//
//   B=build/bench/switchyard-bench/switchyard-bench
//   $B delay-server > addr & sleep 0.2
//   $B slowio --server "$(head -1 addr)" --slow-conns 2000 --slow-delay-us 200000
//   kill %1  # the server prints its totals on standard error
//
// A run longer than 5 s prints a progress line on standard error every 5 s.
//
// Exit status: 0, or 1 when a task failed (`errors` in the JSON counts them and
// `first_error` says why), 2 for a bad command line or config.
#include <chrono>
#include <csignal>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <switchyard/config.hpp>
#include <switchyard/runtime.hpp>

#include "delay_server.hpp"
#include "echo_server.hpp"
#include "move_counter.hpp"
#include "options.hpp"
#include "process_usage.hpp"
#include "progress.hpp"
#include "result_json.hpp"
#include "workload.hpp"

namespace sb = switchyard::bench;

namespace {

constexpr int kUsageStatus = 2;

std::string commands() {
  std::string list = "delay-server, echo-server";
  for (const sb::Workload& w : sb::workloads()) list += ", " + std::string(w.name);
  return list;
}

int run_workload(const sb::Workload& workload, const sb::BenchOptions& options) {
  switchyard::Runtime runtime(sb::runtime_config(options.runtime));
  sb::Outcome outcome = [&] {
    const sb::Progress progress(workload.name, runtime);
    std::optional<sb::MoveCounter> moves;
    if (options.count_moves) moves.emplace(runtime, std::chrono::milliseconds(1));
    sb::Outcome out = workload.run(options, runtime);
    if (moves) out.extra["counted_moves"] = moves->finish();
    return out;
  }();
  const bool failed = outcome.errors.count() > 0;
  const switchyard::Report report = runtime.report();
  std::cout << sb::result_json(workload.name, options, std::move(outcome), report, runtime.config(),
                               sb::process_usage())
                   .dump()
            << std::endl;
  return failed ? 1 : 0;
}

int run(std::string_view command, int argc, char** argv) {
  if (command == "delay-server") {
    const auto options = sb::parse_server_options(
        command,
        "TCP server on loopback: each request line 'D <delay_us> <reply_bytes>' is answered "
        "after delay_us with reply_bytes bytes ending in a newline (also over HTTP: GET "
        "/delay?us=<delay_us>&bytes=<reply_bytes>). Prints its address, then "
        "runs until SIGINT or SIGTERM.",
        argc, argv);
    return options ? sb::run_delay_server(*options) : 0;
  }
  if (command == "echo-server") {
    const auto options = sb::parse_server_options(
        command,
        "TCP server echoing every line it reads, a task per connection placed by the runtime. "
        "Prints its address, then runs until SIGINT or SIGTERM.",
        argc, argv);
    return options ? sb::run_echo_server(*options) : 0;
  }
  const sb::Workload* workload = sb::find_workload(command);
  if (workload == nullptr) {
    throw sb::UsageError("unknown command '" + std::string(command) + "' (one of " + commands() +
                         ")");
  }
  const auto options = sb::parse_bench_options(*workload, argc, argv);
  return options ? run_workload(*workload, *options) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
    std::cerr << "usage: switchyard-bench COMMAND [flags]   (COMMAND: " << commands()
              << "; COMMAND --help lists its flags)\n";
    return argc < 2 ? kUsageStatus : 0;
  }
  // A peer that closes its end must fail the write, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  const std::string_view command = argv[1];
  try {
    // The command takes argv[0]'s place, so that its parser sees its own flags.
    return run(command, argc - 1, argv + 1);
  } catch (const sb::UsageError& e) {
    std::cerr << "switchyard-bench " << command << ": " << e.what() << '\n';
    return kUsageStatus;
  } catch (const switchyard::ConfigError& e) {
    std::cerr << "switchyard-bench " << command << ": config: " << e.what() << '\n';
    return kUsageStatus;
  } catch (const std::exception& e) {
    std::cerr << "switchyard-bench " << command << ": " << e.what() << '\n';
    return 1;
  }
}
