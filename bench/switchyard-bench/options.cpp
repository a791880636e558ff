#include "options.hpp"

#include <iostream>
#include <string>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "protocol.hpp"
#include "workload.hpp"

namespace switchyard::bench {

namespace {

constexpr int kMaxCount = 10'000'000;

// Flags CLI11 cannot check alone are read as text and checked after parsing.
struct RawFlags {
  std::string placement = "adaptive";
  std::string watchdog;
};

void add_runtime_flags(CLI::App& app, RuntimeOptions& options, RawFlags& raw) {
  app.add_option("--config", options.config, "switchyard TOML config (default: discovered)")
      ->check(CLI::ExistingFile);
  app.add_option("--watchdog", raw.watchdog, "on|off: executors.watchdog (default: config)");
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

void check_runtime_flags(const RawFlags& raw, RuntimeOptions& options) {
  if (raw.watchdog == "on") {
    options.watchdog = true;
  } else if (raw.watchdog == "off") {
    options.watchdog = false;
  } else if (!raw.watchdog.empty()) {
    throw UsageError(fmt::format("--watchdog {}: expected on or off", raw.watchdog));
  }
}

PlacementChoice check_placement(const std::string& text) {
  if (const auto choice = parse_placement_choice(text)) return *choice;
  if (text == "shard") {
    throw UsageError("--placement shard: process shards are not available yet");
  }
  throw UsageError(fmt::format(
      "--placement {}: expected adaptive, fiber, cpu, blocking, shard or oracle", text));
}

void check_server(const std::string& server) {
  const auto colon = server.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == server.size()) {
    throw UsageError(fmt::format("--server {}: expected HOST:PORT", server));
  }
}

}  // namespace

std::optional<BenchOptions> parse_bench_options(const Workload& workload, int argc, char** argv) {
  BenchOptions o;
  RawFlags raw;
  CLI::App app(std::string(workload.summary), "switchyard-bench " + std::string(workload.name));
  app.add_option("--server", o.server, "delay server HOST:PORT");
  app.add_option("--placement", raw.placement,
                 "adaptive|fiber|cpu|blocking|shard|oracle: who places the tasks")
      ->capture_default_str();
  add_runtime_flags(app, o.runtime, raw);
  app.add_option("--fast-requests", o.fast_requests, "fastio requests")
      ->capture_default_str()
      ->check(CLI::Range(1, kMaxCount));
  app.add_option("--fast-conns", o.fast_conns, "fastio persistent connections")
      ->capture_default_str()
      ->check(CLI::Range(1, kMaxCount));
  app.add_option("--fast-delay-us", o.fast_delay_us, "fastio server delay")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{0}, kMaxDelayUs));
  app.add_option("--slow-conns", o.slow_conns, "slowio connections")
      ->capture_default_str()
      ->check(CLI::Range(1, kMaxCount));
  app.add_option("--slow-requests", o.slow_requests, "requests per slowio connection")
      ->capture_default_str()
      ->check(CLI::Range(1, kMaxCount));
  app.add_option("--slow-delay-us", o.slow_delay_us, "slowio server delay")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{0}, kMaxDelayUs));
  app.add_option("--stall-tasks", o.stall_tasks, "stall: tasks that block their thread 200 ms")
      ->capture_default_str()
      ->check(CLI::Range(0, kMaxCount));
  app.add_option("--stall-ticks", o.stall_ticks, "stall: fibers ticking every 1 ms")
      ->capture_default_str()
      ->check(CLI::Range(1, kMaxCount));
  app.add_option("--stall-duration-ms", o.stall_duration_ms, "stall: how long the ticks run")
      ->capture_default_str()
      ->check(CLI::Range(1, 3'600'000));
  if (!parse(app, argc, argv)) return std::nullopt;

  check_runtime_flags(raw, o.runtime);
  o.placement = check_placement(raw.placement);
  if (!o.server.empty()) {
    check_server(o.server);
  } else if (workload.needs_server) {
    throw UsageError("--server HOST:PORT is required");
  }
  return o;
}

std::optional<ServerOptions> parse_server_options(int argc, char** argv) {
  ServerOptions o;
  RawFlags raw;
  CLI::App app(
      "TCP server on loopback: each request line 'D <delay_us> <reply_bytes>' is answered after "
      "delay_us with reply_bytes bytes ending in a newline. Prints its address, then runs until "
      "SIGINT or SIGTERM.",
      "switchyard-bench delay-server");
  app.add_option("--addr", o.addr, "address to listen on, HOST:PORT (port 0: any free port)")
      ->capture_default_str();
  app.add_flag("--until-stdin-eof", o.until_stdin_eof, "also stop at the end of standard input");
  add_runtime_flags(app, o.runtime, raw);
  if (!parse(app, argc, argv)) return std::nullopt;
  check_runtime_flags(raw, o.runtime);
  return o;
}

Config runtime_config(const RuntimeOptions& options) {
  Config config = options.config.empty() ? Config::discover() : Config::from_file(options.config);
  if (options.watchdog) config.executors.watchdog = *options.watchdog;
  return config;
}

}  // namespace switchyard::bench
