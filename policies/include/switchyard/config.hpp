// Config: the settings a Runtime reads once at start, from switchyard.toml or defaults.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <switchyard/config_limits.hpp>
#include <switchyard/counters.hpp>
#include <switchyard/placement.hpp>

namespace switchyard {

// ExecutorsConfig sizes the executors. A count of 0 means "one per allowed core", resolved
// by the runtime against the probed topology, because the file cannot know the machine.
// Each field is the key of the same name in [executors] (durations drop the unit suffix,
// which the chrono type carries); examples/config/switchyard.toml documents every key. Set
// in code, a field skips the loader's bounds (config_limits.hpp): the runtime then takes a
// duration too long for its clock (milliseconds::max()) as forever, a negative one as zero.
struct ExecutorsConfig {
  std::uint32_t fiber_workers = 0;
  std::uint32_t cpu_threads = 0;
  std::uint32_t blocking_min = 0;
  std::uint32_t blocking_max = 64;
  // blocking_idle: an idle blocking-pool thread above blocking_min exits after this.
  std::chrono::milliseconds blocking_idle{2000};
  std::uint32_t stack_kib = 64;
  // stall_threshold: a fiber holding a fiber worker longer than this is stalling it.
  std::chrono::microseconds stall_threshold{2000};
  bool watchdog = true;
  bool pin_cpu_threads = true;
  bool pin_fiber_workers = false;
  std::uint32_t shards = 0;
  // shard_inflight bounds the calls queued on one shard, so a slow shard pushes back on
  // its submitters instead of growing a queue without limit.
  std::uint32_t shard_inflight = 64;
  std::chrono::milliseconds shutdown_grace{10000};
};

// PolicyName names a built-in policy.
enum class PolicyName : std::uint8_t { fixed, rules, cost, explore };

// all_policy_names lists every PolicyName in declaration order.
inline constexpr std::array<PolicyName, 4> all_policy_names{PolicyName::fixed, PolicyName::rules,
                                                            PolicyName::cost, PolicyName::explore};

// to_string() gives the policy's name as written in the config file ("fixed", "rules", ...).
// Does not block; call from any thread.
std::string_view to_string(PolicyName p) noexcept;

// parse_policy_name() is the inverse of to_string(PolicyName); nullopt for any other text.
// Does not block; call from any thread.
std::optional<PolicyName> parse_policy_name(std::string_view name) noexcept;

// FixedConfig parameterises the `fixed` policy.
struct FixedConfig {
  // placement: where kinds without a [kinds.*] placement run.
  Placement placement = Placement::fiber;
};

// RulesConfig holds the thresholds of the decision table in DESIGN.md.
struct RulesConfig {
  // min_samples: a kind keeps its first placement until this many of its tasks finished.
  std::uint32_t min_samples = 8;
  double cpu_share = 0.6;
  double blocked_share = 0.3;
  double hysteresis = 0.1;
};

// CostConfig parameterises the `cost` policy.
struct CostConfig {
  // hysteresis: relative improvement a new executor must promise before a kind moves.
  double hysteresis = 0.15;
};

// ExploreConfig parameterises the `explore` policy.
struct ExploreConfig {
  // share of tasks run on an alternative placement to measure it.
  double share = 0.05;
  // shift: relative change of a kind's profile that triggers re-exploration.
  double shift = 0.3;
};

// PolicyConfig selects the policy; every policy's parameters are kept so that switching
// `name` needs no other edit.
struct PolicyConfig {
  PolicyName name = PolicyName::rules;
  FixedConfig fixed;
  RulesConfig rules;
  CostConfig cost;
  ExploreConfig explore;
};

// ProfilingConfig says what is measured and where results go. An empty path writes nothing.
struct ProfilingConfig {
  // counters are tried in order; ones the machine lacks are skipped and reported.
  std::vector<std::string> counters = default_counter_events();
  // warmup: every task of a kind is measured, and reads the counters, until this many have
  // finished.
  std::uint32_t warmup = 64;
  // sample_every: after warm-up, one task in this many is measured.
  std::uint32_t sample_every = 8;
  // count_every: after warm-up, one measured task in this many also reads the counters
  // (a reading costs about 2 us where a measured task's clocks cost 0.3 us).
  std::uint32_t count_every = 4;
  // follow_changes: measure every task of a kind while its measurements say it may be
  // changing (KindProfile::unsettled), so a change of phase is confirmed in a few tasks.
  bool follow_changes = true;
  // calibrate: measure (or read from the cache) the MachineModel in the background at start.
  bool calibrate = true;
  std::filesystem::path report;
  std::filesystem::path trace;
  // metrics: "host:port" of the live metrics endpoint (the Prometheus text format on
  // /metrics, the report as JSON on /report.json); empty, the default, serves none.
  std::string metrics;
};

// metrics_address_problem() says what is wrong with `text` as profiling.metrics: empty when
// it is "" or host:port with a port from 0 to 65535, at most kMaxMetricsAddressBytes long.
// Does not block; call from any thread.
std::string metrics_address_problem(std::string_view text);

// KindConfig overrides the policy for one task kind.
struct KindConfig {
  // placement pins the kind; nullopt lets the policy decide.
  std::optional<Placement> placement;
  // isolate: run only in process shards.
  bool isolate = false;
  // idempotent: a shard crash re-runs an in-flight call once instead of failing it.
  bool idempotent = false;
};

// ConfigEnv is the part of the process environment that Config::discover() reads, gathered
// so tests can supply it without touching the real environment. An unset variable is
// nullopt.
struct ConfigEnv {
  // config: SWITCHYARD_CONFIG, a file that must exist; empty counts as unset, so
  // `SWITCHYARD_CONFIG= prog` falls back to discovery.
  std::optional<std::string> config;
  // report and trace: SWITCHYARD_REPORT and SWITCHYARD_TRACE override profiling.report and
  // profiling.trace; empty turns the output off, as "" does in the file.
  std::optional<std::string> report;
  std::optional<std::string> trace;
  // working_dir resolves relative paths; empty means the process's working directory.
  std::filesystem::path working_dir;

  // current() reads the variables above with getenv. Does not block; call from any thread,
  // but not while another thread calls setenv or putenv.
  static ConfigEnv current();
};

// Config is plain data the runtime reads at start. The loaders return a fully checked
// Config or throw ConfigError; nothing is ever half-applied.
struct Config {
  ExecutorsConfig executors;
  PolicyConfig policy;
  ProfilingConfig profiling;
  // kinds: per-kind overrides, keyed by kind name; std::less<> allows string_view lookup.
  std::map<std::string, KindConfig, std::less<>> kinds;
  // source names where the settings came from: a file path, a from_string() name, or
  // "defaults".
  std::string source = "defaults";

  // from_string() parses TOML text; source_name stands for the file in error messages.
  // Text beyond the bounds of config_limits.hpp (size, key length, nesting, kinds) is refused
  // before it costs more than one pass over it. Does not block; call from any thread. Throws
  // ConfigError.
  static Config from_string(std::string_view text, std::string_view source_name);

  // from_file() reads and parses a TOML file. Blocks on file I/O; call from any thread
  // that may block (not a fiber worker). Throws ConfigError, also when the file cannot be
  // read, is not a regular file (a FIFO, a device, a directory), or is larger than
  // kMaxConfigBytes.
  static Config from_file(const std::filesystem::path& path);

  // discover() loads the file named by SWITCHYARD_CONFIG (which must exist), else
  // ./switchyard.toml if present, else the defaults; then applies SWITCHYARD_REPORT and
  // SWITCHYARD_TRACE. Blocks on file I/O; call from a thread that may block. Throws
  // ConfigError.
  static Config discover();

  // discover(env) is discover() with the environment supplied by the caller.
  static Config discover(const ConfigEnv& env);
};

// ConfigProblem is one thing wrong with a config file, located as precisely as known:
// line and column are 0 when the problem is not inside the text (an unreadable file), and
// key and value are empty when no key is involved (a TOML syntax error).
struct ConfigProblem {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string key;    // dotted path, e.g. "kinds.fetch.placement"
  std::string value;  // the offending value as written in TOML, e.g. "\"gpu\"" or "-4"
  std::string reason;

  // to_string() renders "file:line:col: key = value: reason", leaving out unknown parts.
  // Does not block; call from any thread.
  std::string to_string() const;
};

// ConfigError reports every problem found in one config source, earliest in the file
// first; what() holds one problem per line. Copying never throws, as an exception must.
class ConfigError : public std::runtime_error {
 public:
  // ConfigError() takes the problems in the order they are to be reported; the list must
  // not be empty. Does not block; call from any thread.
  explicit ConfigError(std::vector<ConfigProblem> problems);

  // problems() lists every problem; the accessors below describe the first. None of them
  // blocks; call from any thread.
  const std::vector<ConfigProblem>& problems() const noexcept { return *problems_; }
  const std::string& file() const noexcept { return problems_->front().file; }
  std::uint32_t line() const noexcept { return problems_->front().line; }
  std::uint32_t column() const noexcept { return problems_->front().column; }
  const std::string& key() const noexcept { return problems_->front().key; }
  const std::string& value() const noexcept { return problems_->front().value; }
  const std::string& reason() const noexcept { return problems_->front().reason; }

 private:
  std::shared_ptr<const std::vector<ConfigProblem>> problems_;
};

}  // namespace switchyard
