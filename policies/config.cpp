// The schema of switchyard.toml: which keys exist, their types, ranges and defaults.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include <switchyard/config.hpp>

#include "config_scan.hpp"
#include "config_text.hpp"
#include "suggestion.hpp"

namespace switchyard {

static_assert(TOML_EXCEPTIONS, "Config::from_string relies on toml::parse throwing parse_error");

namespace {

using detail::key_segment;
using detail::number_text;
using detail::render;
using detail::type_phrase;
using detail::unknown_reason;

// Counts above this are typing mistakes rather than machines.
constexpr std::int64_t kMaxThreads = std::int64_t{1} << 16;
// Every count is stored in a std::uint32_t.
constexpr std::int64_t kMaxCount = std::numeric_limits<std::uint32_t>::max();
// Below 16 KiB a fiber overflows in ordinary libc calls (printf alone takes several KiB),
// and the guard page takes 4 KiB of it.
constexpr std::int64_t kMinStackKib = 16;
constexpr std::int64_t kMaxStackKib = std::int64_t{1} << 20;
constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// Problems collects everything wrong with one source, so a user fixes a file in one pass
// rather than one error per run.
class Problems {
 public:
  explicit Problems(std::string_view file) : file_(file) {}

  void add(const toml::source_region& where, std::string key, std::string value,
           std::string reason) {
    problems_.push_back({file_, where.begin.line, where.begin.column, std::move(key),
                         std::move(value), std::move(reason)});
  }

  std::size_t count() const { return problems_.size(); }

  // throw_if_any() reports in file order: toml++ tables are sorted by key, not position.
  void throw_if_any() {
    if (problems_.empty()) return;
    std::stable_sort(problems_.begin(), problems_.end(), [](const auto& a, const auto& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    throw ConfigError(std::move(problems_));
  }

 private:
  std::string file_;
  std::vector<ConfigProblem> problems_;
};

// Section reads one table. Each read names a key it knows, so the set of valid keys (for
// unknown-key suggestions) is exactly the set the code reads. A missing table reads as
// empty: every key keeps its default.
class Section {
 public:
  Section(const toml::table* table, std::string path, Problems& problems)
      : table_(table), path_(std::move(path)), problems_(problems) {}

  std::string path_of(std::string_view key) const {
    return path_.empty() ? key_segment(key) : path_ + '.' + key_segment(key);
  }

  std::size_t problem_count() const { return problems_.count(); }

  void report(const toml::node& node, std::string_view key, std::string reason) {
    report_path(node, path_of(key), std::move(reason));
  }

  // section() reads the sub-table `key` with read(Section&), then rejects keys read() did
  // not ask for.
  template <class Read>
  void section(std::string_view key, Read&& read) {
    const toml::node* node = typed(key, toml::node_type::table);
    Section sub(node != nullptr ? node->as_table() : nullptr, path_of(key), problems_);
    read(sub);
    sub.reject_unknown();
  }

  // each_table() reads every entry of this table as a sub-table named by the user, as
  // `[kinds.NAME]` is; past `max` entries it reads none, and reports the first entry past
  // them, naming them `what`.
  template <class Read>
  void each_table(std::size_t max, std::string_view what, Read&& read) {
    if (table_ == nullptr) return;
    every_key_known_ = true;
    if (table_->size() > max) {
      report_beyond(max, what);
      return;
    }
    for (auto&& [key, node] : *table_) {
      if (!expect(node, path_of(key.str()), toml::node_type::table)) continue;
      Section sub(node.as_table(), path_of(key.str()), problems_);
      read(key.str(), node, sub);
      sub.reject_unknown();
    }
  }

  const toml::node* count(std::string_view key, std::uint32_t& out, std::int64_t min,
                          std::int64_t max, std::string_view unit = {}) {
    std::int64_t value = 0;
    const toml::node* node = integer(key, value, min, max, unit);
    if (node != nullptr) out = static_cast<std::uint32_t>(value);
    return node;
  }

  template <class Rep, class Period>
  void duration(std::string_view key, std::chrono::duration<Rep, Period>& out, std::int64_t min,
                std::chrono::duration<Rep, Period> max, std::string_view unit) {
    std::int64_t value = 0;
    if (integer(key, value, min, max.count(), unit) != nullptr) {
      out = std::chrono::duration<Rep, Period>{value};
    }
  }

  // number() accepts an integer too: TOML users write `share = 1` as readily as `1.0`.
  void number(std::string_view key, double& out, double min, double max) {
    const toml::node* node = lookup(key);
    if (node == nullptr) return;
    if (!node->is_number()) {
      report(*node, key, "expected a number, got " + std::string(type_phrase(node->type())));
      return;
    }
    const double value = node->is_integer() ? static_cast<double>(*node->value<std::int64_t>())
                                            : *node->value<double>();
    // Written so that NaN fails both comparisons.
    if (!(value >= min && value <= max)) {
      report(*node, key,
             max == kUnbounded
                 ? "must be at least " + number_text(min)
                 : "must be between " + number_text(min) + " and " + number_text(max));
      return;
    }
    out = value;
  }

  const toml::node* boolean(std::string_view key, bool& out) {
    const toml::node* node = typed(key, toml::node_type::boolean);
    if (node != nullptr) out = *node->value<bool>();
    return node;
  }

  const toml::node* string(std::string_view key, std::string& out) {
    const toml::node* node = typed(key, toml::node_type::string);
    if (node != nullptr) out = *node->value<std::string>();
    return node;
  }

  // strings() reads a list of distinct, non-empty names; a bad element keeps the default
  // list whole rather than a list with a hole in it.
  void strings(std::string_view key, std::vector<std::string>& out) {
    const toml::node* node = typed(key, toml::node_type::array);
    if (node == nullptr) return;
    std::vector<std::string> values;
    bool ok = true;
    const toml::array& array = *node->as_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
      const toml::node& element = array[i];
      const std::string element_path = path_of(key) + '[' + std::to_string(i) + ']';
      if (!expect(element, element_path, toml::node_type::string)) {
        ok = false;
        continue;
      }
      std::string value = *element.value<std::string>();
      if (value.empty()) {
        report_path(element, element_path, "must not be empty");
        ok = false;
      } else if (std::find(values.begin(), values.end(), value) != values.end()) {
        report_path(element, element_path, "is listed twice");
        ok = false;
      }
      values.push_back(std::move(value));
    }
    if (ok) out = std::move(values);
  }

  // choice() reads a string naming one of `all`, each named by to_string().
  template <class Enum, std::size_t N>
  std::optional<Enum> choice(std::string_view key, const std::array<Enum, N>& all,
                             std::string_view what) {
    std::string text;
    const toml::node* node = string(key, text);
    if (node == nullptr) return std::nullopt;
    std::vector<std::string_view> names;
    for (Enum e : all) {
      if (to_string(e) == text) return e;
      names.push_back(to_string(e));
    }
    report(*node, key, unknown_reason(what, text, names, true));
    return std::nullopt;
  }

  void reject_unknown() {
    if (table_ == nullptr || every_key_known_) return;
    for (auto&& [key, node] : *table_) {
      if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
      problems_.add(key.source(), path_of(key.str()), render(node),
                    unknown_reason("key", key.str(), known_, false));
    }
  }

 private:
  // lookup() marks `key` as valid here and returns its node, if the file has one.
  const toml::node* lookup(std::string_view key) {
    known_.push_back(key);
    return table_ != nullptr ? table_->get(key) : nullptr;
  }

  void report_path(const toml::node& node, std::string path, std::string reason) {
    problems_.add(node.source(), std::move(path), render(node), std::move(reason));
  }

  // report_beyond() reports the entry that follows the first `max` in file order (toml++
  // orders a table by key).
  void report_beyond(std::size_t max, std::string_view what) {
    std::vector<const toml::key*> keys;
    keys.reserve(table_->size());
    for (auto&& [key, node] : *table_) keys.push_back(&key);
    const auto nth = keys.begin() + static_cast<std::ptrdiff_t>(max);
    std::nth_element(keys.begin(), nth, keys.end(), [](const toml::key* a, const toml::key* b) {
      const toml::source_position& pa = a->source().begin;
      const toml::source_position& pb = b->source().begin;
      return std::pair(pa.line, pa.column) < std::pair(pb.line, pb.column);
    });
    problems_.add((*nth)->source(), path_of((*nth)->str()), {},
                  "more than " + std::to_string(max) + ' ' + std::string(what));
  }

  bool expect(const toml::node& node, std::string path, toml::node_type type) {
    if (node.type() == type) return true;
    report_path(node, std::move(path),
                "expected " + std::string(type_phrase(type)) + ", got " +
                    std::string(type_phrase(node.type())));
    return false;
  }

  const toml::node* typed(std::string_view key, toml::node_type type) {
    const toml::node* node = lookup(key);
    return node != nullptr && expect(*node, path_of(key), type) ? node : nullptr;
  }

  const toml::node* integer(std::string_view key, std::int64_t& out, std::int64_t min,
                            std::int64_t max, std::string_view unit) {
    const toml::node* node = typed(key, toml::node_type::integer);
    if (node == nullptr) return nullptr;
    const std::int64_t value = *node->value<std::int64_t>();
    const std::string suffix = unit.empty() ? "" : " (" + std::string(unit) + ")";
    if (value < min) {
      report(*node, key, "must be at least " + std::to_string(min) + suffix);
      return nullptr;
    }
    if (value > max) {
      report(*node, key, "must be at most " + std::to_string(max) + suffix);
      return nullptr;
    }
    out = value;
    return node;
  }

  const toml::table* table_;
  std::string path_;
  Problems& problems_;
  std::vector<std::string_view> known_;
  // every_key_known_: the keys are names the user chose (each_table()), none unknown.
  bool every_key_known_ = false;
};

void read_executors(Section& s, ExecutorsConfig& e) {
  s.count("fiber_workers", e.fiber_workers, 0, kMaxThreads);
  s.count("cpu_threads", e.cpu_threads, 0, kMaxThreads);
  const std::size_t before = s.problem_count();
  const toml::node* min = s.count("blocking_min", e.blocking_min, 0, kMaxThreads);
  // At least one thread, or a kind pinned to `blocking` would never run.
  s.count("blocking_max", e.blocking_max, 1, kMaxThreads);
  // The default minimum is 0 and the maximum at least 1, so a crossing means the minimum was
  // written: blame it.
  if (s.problem_count() == before && e.blocking_min > e.blocking_max) {
    s.report(*min, "blocking_min",
             "must be at most executors.blocking_max (" + std::to_string(e.blocking_max) + ")");
  }
  s.duration("blocking_idle_ms", e.blocking_idle, 0, kMaxBlockingIdle, "ms");
  s.count("stack_kib", e.stack_kib, kMinStackKib, kMaxStackKib, "KiB");
  // A zero threshold would report every fiber as stalling.
  s.duration("stall_threshold_us", e.stall_threshold, 1, kMaxStallThreshold, "us");
  s.boolean("watchdog", e.watchdog);
  s.boolean("pin_cpu_threads", e.pin_cpu_threads);
  s.boolean("pin_fiber_workers", e.pin_fiber_workers);
  s.count("shards", e.shards, 0, kMaxShards);
  // Zero in-flight calls would make every submitter wait forever.
  s.count("shard_inflight", e.shard_inflight, 1, kMaxCount);
  s.duration("shutdown_grace_ms", e.shutdown_grace, 0, kMaxShutdownGrace, "ms");
}

void read_policy(Section& s, PolicyConfig& p) {
  if (auto name = s.choice("name", all_policy_names, "policy")) p.name = *name;
  s.section("fixed", [&p](Section& f) {
    if (auto where = f.choice("placement", all_placements, "placement")) p.fixed.placement = *where;
  });
  s.section("rules", [&p](Section& r) {
    r.count("min_samples", p.rules.min_samples, 1, kMaxCount);
    r.number("cpu_share", p.rules.cpu_share, 0, 1);
    r.number("blocked_share", p.rules.blocked_share, 0, 1);
    r.number("hysteresis", p.rules.hysteresis, 0, 1);
  });
  s.section("cost", [&p](Section& c) { c.number("hysteresis", p.cost.hysteresis, 0, 1); });
  s.section("explore", [&p](Section& x) {
    x.number("share", p.explore.share, 0, 1);
    x.number("shift", p.explore.shift, 0, kUnbounded);
  });
}

void read_profiling(Section& s, ProfilingConfig& p) {
  s.strings("counters", p.counters);
  s.count("warmup", p.warmup, 0, kMaxCount);
  s.count("sample_every", p.sample_every, 1, kMaxCount);
  s.count("count_every", p.count_every, 1, kMaxCount);
  s.boolean("follow_changes", p.follow_changes);
  s.boolean("calibrate", p.calibrate);
  std::string path;
  if (s.string("report", path) != nullptr) p.report = path;
  if (s.string("trace", path) != nullptr) p.trace = path;
  std::string metrics;
  if (const toml::node* node = s.string("metrics", metrics); node != nullptr) {
    if (std::string why = metrics_address_problem(metrics); !why.empty()) {
      s.report(*node, "metrics", std::move(why));
    } else {
      p.metrics = std::move(metrics);
    }
  }
}

void read_kind(std::string_view name, const toml::node& where, Section& kinds, Section& k,
               Config& config) {
  if (name.empty()) {
    kinds.report(where, name, "a kind name must not be empty");
    return;
  }
  KindConfig kind;
  kind.placement = k.choice("placement", all_placements, "placement");
  const toml::node* isolate = k.boolean("isolate", kind.isolate);
  k.boolean("idempotent", kind.idempotent);
  if (isolate != nullptr && kind.isolate && kind.placement.has_value() &&
      *kind.placement != Placement::shard) {
    k.report(*isolate, "isolate",
             "an isolated kind runs only in process shards, but placement pins it to " +
                 std::string(to_string(*kind.placement)));
  }
  config.kinds.emplace(name, kind);
}

void read_root(const toml::table& root, Problems& problems, Config& config) {
  Section s(&root, "", problems);
  s.section("executors", [&config](Section& e) { read_executors(e, config.executors); });
  s.section("policy", [&config](Section& p) { read_policy(p, config.policy); });
  s.section("profiling", [&config](Section& p) { read_profiling(p, config.profiling); });
  s.section("kinds", [&config](Section& kinds) {
    kinds.each_table(kMaxConfigKinds, "kinds",
                     [&](std::string_view name, const toml::node& where, Section& k) {
                       read_kind(name, where, kinds, k, config);
                     });
  });
  s.reject_unknown();
}

}  // namespace

std::string_view to_string(PolicyName p) noexcept {
  switch (p) {
    case PolicyName::fixed:
      return "fixed";
    case PolicyName::rules:
      return "rules";
    case PolicyName::cost:
      return "cost";
    case PolicyName::explore:
      return "explore";
  }
  return "unknown";
}

std::optional<PolicyName> parse_policy_name(std::string_view name) noexcept {
  for (PolicyName p : all_policy_names) {
    if (to_string(p) == name) return p;
  }
  return std::nullopt;
}

Config Config::from_string(std::string_view text, std::string_view source_name) {
  scan_text(text, source_name);
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    const toml::source_position at = e.source().begin;
    throw ConfigError(
        {{std::string(source_name), at.line, at.column, {}, {}, std::string(e.description())}});
  }
  Problems problems(source_name);
  Config config;
  config.source = source_name;
  read_root(root, problems, config);
  problems.throw_if_any();
  return config;
}

}  // namespace switchyard
