#include "options.hpp"

#include <charconv>
#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "fib_kernel.hpp"
#include "protocol.hpp"
#include "workload.hpp"

namespace switchyard::bench {

namespace {

constexpr int kMaxCount = 10'000'000;
// kMaxIters bounds --iters: at about 2 ns an iteration, a task of 10^11 runs some minutes.
constexpr std::uint64_t kMaxIters = 100'000'000'000;

void add_runtime_flags(CLI::App& app, RuntimeOptions& options) {
  app.add_option("--config", options.config, "switchyard TOML config (default: discovered)")
      ->check(CLI::ExistingFile);
  // CLI11 reads a bool from on/off but also from yes, 1, true and more: only on|off is the flag.
  app.add_option("--watchdog", options.watchdog, "on|off: executors.watchdog (default: config)")
      ->check(CLI::Validator(
          [](const std::string& value) {
            return value == "on" || value == "off" ? std::string() : value + " is not on or off";
          },
          ""))
      ->type_name("TEXT");
}

// parse() runs CLI11, turning its errors into UsageError; false when it printed help.
bool parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return true;
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return false;
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }
}

// check_placement() parses --placement, refusing shard for a workload whose tasks are not
// registered: spawn() would throw for a shard hint in every task.
PlacementChoice check_placement(const Workload& workload, const std::string& text) {
  const auto choice = parse_placement_choice(text);
  if (!choice) {
    throw UsageError(fmt::format(
        "--placement {}: expected adaptive, fiber, cpu, blocking, shard or oracle", text));
  }
  if (choice->mode == PlacementChoice::Mode::forced && choice->forced == Placement::shard &&
      !workload.registered_tasks) {
    throw UsageError(fmt::format(
        "--placement shard: {} spawns its tasks with spawn(), which cannot send a task to a "
        "process shard; only a workload of registered tasks (lock) can run there",
        workload.name));
  }
  return *choice;
}

// check_server() checks the shape of HOST:PORT ([v6]:PORT), PORT a number from 0 to 65535,
// so that a typo fails once here rather than in every task. Whether HOST resolves is the
// connection's business.
void check_server(const std::string& server) {
  const auto colon = server.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == server.size()) {
    throw UsageError(fmt::format("--server {}: expected HOST:PORT", server));
  }
  const std::string_view port = std::string_view(server).substr(colon + 1);
  unsigned value = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (error != std::errc{} || end != port.data() + port.size() || value > 65535) {
    throw UsageError(
        fmt::format("--server {}: port {} is not a number from 0 to 65535", server, port));
  }
}

// check_tree_sizes() bounds the task trees of fib and skynet, whose sizes the flags give only
// indirectly: a low cutoff makes fib's tree grow like fib(n) itself.
void check_tree_sizes(const BenchOptions& o) {
  if (const std::uint64_t tasks = fib_tasks(o.fib_n, o.fib_cutoff);
      tasks > static_cast<std::uint64_t>(kMaxCount)) {
    throw UsageError(fmt::format("--fib-n {} --fib-cutoff {}: {} tasks, more than {}", o.fib_n,
                                 o.fib_cutoff, tasks, kMaxCount));
  }
  int leaves = o.skynet_leaves;
  while (leaves % 10 == 0) leaves /= 10;
  if (leaves != 1) {
    throw UsageError(fmt::format("--skynet-leaves {}: not a power of ten", o.skynet_leaves));
  }
}

}  // namespace

std::optional<BenchOptions> parse_bench_options(const Workload& workload, int argc, char** argv) {
  BenchOptions o;
  std::string placement = "adaptive";
  CLI::App app(std::string(workload.summary), "switchyard-bench " + std::string(workload.name));
  app.option_defaults()->always_capture_default();
  const auto count = [&app](const char* name, int& field, const char* help, int min = 1,
                            int max = kMaxCount) {
    app.add_option(name, field, help)->check(CLI::Range(min, max));
  };
  const auto delay = [&app](const char* name, std::uint64_t& field, const char* help) {
    app.add_option(name, field, help)->check(CLI::Range(std::uint64_t{0}, kMaxDelayUs));
  };
  app.add_option("--server", o.server, "delay server HOST:PORT");
  app.add_option("--placement", placement,
                 "adaptive|fiber|cpu|blocking|shard|oracle: who places the tasks");
  add_runtime_flags(app, o.runtime);
  count("--cpu-tasks", o.cpu_tasks, "cpu tasks, each spin(i, iters)");
  count("--fast-requests", o.fast_requests, "fastio requests");
  count("--fast-conns", o.fast_conns, "fastio persistent connections");
  delay("--fast-delay-us", o.fast_delay_us, "fastio server delay");
  count("--slow-conns", o.slow_conns, "slowio connections");
  count("--slow-requests", o.slow_requests, "requests per slowio connection");
  delay("--slow-delay-us", o.slow_delay_us, "slowio server delay");
  // Two at least: each phase needs a task, and the figures of the second divide by its count.
  count("--phase-tasks", o.phase_tasks, "phase: tasks, slow I/O for the first half, then spin()",
        2);
  count("--phase-window", o.phase_window, "phase: most tasks in flight at once");
  delay("--phase-delay-us", o.phase_delay_us, "phase: server delay of a first-half task");
  count("--lock-tasks", o.lock_tasks, "lock: tasks, each spin(i, iters) inside the mutex");
  app.add_option("--iters", o.iters, "spin() iterations per CPU task")
      ->check(CLI::Range(std::uint64_t{1}, kMaxIters));
  count("--stall-tasks", o.stall_tasks, "stall: tasks that block their thread 200 ms", 0);
  count("--stall-ticks", o.stall_ticks, "stall: fibers ticking every 1 ms");
  count("--stall-duration-ms", o.stall_duration_ms, "stall: how long the ticks run", 1, 3'600'000);
  count("--fib-n", o.fib_n, "fib: compute fib(n)", 1, kMaxFibN);
  count("--fib-cutoff", o.fib_cutoff, "fib: calls above it spawn two children, others compute");
  count("--skynet-leaves", o.skynet_leaves, "skynet: leaves of the ten-wide tree, a power of ten",
        10);
  count("--pingpong-rounds", o.pingpong_rounds, "pingpong: round trips");
  count("--channel-values", o.channel_values, "channel: values sent in all");
  count("--channel-capacity", o.channel_capacity, "channel: its capacity, 0 for a rendezvous", 0);
  count("--mutex-tasks", o.mutex_tasks, "mutex: tasks");
  count("--mutex-increments", o.mutex_increments, "mutex: increments per task");
  app.add_flag("--count-moves", o.count_moves,
               "count every kind's placement changes as the run goes (polls the report every "
               "millisecond)");
  if (!parse(app, argc, argv)) return std::nullopt;

  check_tree_sizes(o);

  o.placement = check_placement(workload, placement);
  if (!o.server.empty()) {
    check_server(o.server);
  } else if (workload.needs_server) {
    throw UsageError("--server HOST:PORT is required");
  }
  return o;
}

std::optional<ServerOptions> parse_server_options(std::string_view name,
                                                  const std::string& description, int argc,
                                                  char** argv) {
  ServerOptions o;
  CLI::App app(description, "switchyard-bench " + std::string(name));
  app.option_defaults()->always_capture_default();
  app.add_option("--addr", o.addr, "address to listen on, HOST:PORT (port 0: any free port)");
  app.add_flag("--until-stdin-eof", o.until_stdin_eof, "also stop at the end of standard input");
  add_runtime_flags(app, o.runtime);
  if (!parse(app, argc, argv)) return std::nullopt;
  return o;
}

Config runtime_config(const RuntimeOptions& options) {
  ConfigEnv env = ConfigEnv::current();
  if (!options.config.empty()) env.config = options.config.string();
  Config config = Config::discover(env);
  if (options.watchdog) config.executors.watchdog = *options.watchdog;
  return config;
}

}  // namespace switchyard::bench
