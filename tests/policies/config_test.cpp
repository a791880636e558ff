#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include <switchyard/config.hpp>

#include "../temp_dir.hpp"

namespace sy = switchyard;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using Catch::Matchers::Equals;
using switchyard::test::TempDir;

namespace {

// example_path() is the example config in the source tree, whose root meson passes in
// SWITCHYARD_SOURCE_ROOT, so the test runs from any directory.
fs::path example_path() {
  const char* root = std::getenv("SWITCHYARD_SOURCE_ROOT");
  return fs::path(root != nullptr ? root : ".") / "examples" / "config" / "switchyard.toml";
}

sy::ConfigError error_of(std::string_view text) {
  try {
    sy::Config::from_string(text, "switchyard.toml");
  } catch (const sy::ConfigError& e) {
    return e;
  }
  throw std::logic_error("no ConfigError for:\n" + std::string(text));
}

void check_default_sections(const sy::Config& c) {
  const sy::ExecutorsConfig& e = c.executors;
  CHECK(e.fiber_workers == 0);
  CHECK(e.cpu_threads == 0);
  CHECK(e.blocking_min == 0);
  CHECK(e.blocking_max == 64);
  CHECK(e.blocking_idle == 2000ms);
  CHECK(e.stack_kib == 64);
  CHECK(e.stall_threshold == 2000us);
  CHECK(e.watchdog);
  CHECK(e.pin_cpu_threads);
  CHECK_FALSE(e.pin_fiber_workers);
  CHECK(e.shards == 0);
  CHECK(e.shard_inflight == 64);
  CHECK(e.shutdown_grace == 10000ms);

  const sy::PolicyConfig& p = c.policy;
  CHECK(p.name == sy::PolicyName::rules);
  CHECK(p.fixed.placement == sy::Placement::fiber);
  CHECK(p.rules.min_samples == 8);
  CHECK(p.rules.cpu_share == 0.6);
  CHECK(p.rules.blocked_share == 0.3);
  CHECK(p.rules.hysteresis == 0.1);
  CHECK(p.cost.hysteresis == 0.15);
  CHECK(p.explore.share == 0.05);
  CHECK(p.explore.shift == 0.3);

  const sy::ProfilingConfig& f = c.profiling;
  CHECK(f.counters == sy::default_counter_events());
  CHECK(f.warmup == 64);
  CHECK(f.sample_every == 8);
  CHECK(f.count_every == 4);
  CHECK(f.follow_changes);
  CHECK(f.calibrate);
  CHECK(f.report.empty());
  CHECK(f.trace.empty());
}

}  // namespace

TEST_CASE("config: the example file parses and documents the defaults", "[config]") {
  const sy::Config c = sy::Config::from_file(example_path());
  CHECK(c.source == example_path().string());
  check_default_sections(c);

  REQUIRE(c.kinds.size() == 2);
  const sy::KindConfig& fetch = c.kinds.at("fetch");
  CHECK(fetch.placement == sy::Placement::fiber);
  CHECK_FALSE(fetch.isolate);
  CHECK_FALSE(fetch.idempotent);
  const sy::KindConfig& query = c.kinds.at("db.query");
  CHECK(query.placement == sy::Placement::shard);
  CHECK(query.isolate);
  CHECK(query.idempotent);
}

TEST_CASE("config: an empty file or empty sections give the defaults", "[config]") {
  const std::string_view text =
      GENERATE(std::string_view{""}, std::string_view{"# nothing\n"},
               std::string_view{"[executors]\n[policy]\n[policy.rules]\n[profiling]\n[kinds]\n"});
  const sy::Config c = sy::Config::from_string(text, "empty.toml");
  CHECK(c.source == "empty.toml");
  check_default_sections(c);
  CHECK(c.kinds.empty());
  CHECK(sy::Config{}.source == "defaults");
}

TEST_CASE("config: every key is read into its own field", "[config]") {
  const sy::Config c = sy::Config::from_string(R"(
[executors]
fiber_workers = 3
cpu_threads = 5
blocking_min = 2
blocking_max = 9
blocking_idle_ms = 150
stack_kib = 256
stall_threshold_us = 750
watchdog = false
pin_cpu_threads = false
pin_fiber_workers = true
shards = 7
shard_inflight = 11
shutdown_grace_ms = 42

[policy]
name = "explore"
[policy.fixed]
placement = "blocking"
[policy.rules]
min_samples = 13
cpu_share = 1
blocked_share = 0.25
hysteresis = 0.0
[policy.cost]
hysteresis = 0.5
[policy.explore]
share = 0.125
shift = 2

[profiling]
counters = ["PAPI_TOT_CYC"]
warmup = 0
sample_every = 1
count_every = 3
follow_changes = false
calibrate = false
report = "out/report.json"
trace = "/tmp/trace.json"

[kinds."with space"]
placement = "blocking"
[kinds.crunch]
placement = "cpu"
idempotent = true
[kinds.sandboxed]
isolate = true
)",
                                               "full.toml");
  const sy::ExecutorsConfig& e = c.executors;
  CHECK(e.fiber_workers == 3);
  CHECK(e.cpu_threads == 5);
  CHECK(e.blocking_min == 2);
  CHECK(e.blocking_max == 9);
  CHECK(e.blocking_idle == 150ms);
  CHECK(e.stack_kib == 256);
  CHECK(e.stall_threshold == 750us);
  CHECK_FALSE(e.watchdog);
  CHECK_FALSE(e.pin_cpu_threads);
  CHECK(e.pin_fiber_workers);
  CHECK(e.shards == 7);
  CHECK(e.shard_inflight == 11);
  CHECK(e.shutdown_grace == 42ms);

  const sy::PolicyConfig& p = c.policy;
  CHECK(p.name == sy::PolicyName::explore);
  CHECK(p.fixed.placement == sy::Placement::blocking);
  CHECK(p.rules.min_samples == 13);
  CHECK(p.rules.cpu_share == 1.0);
  CHECK(p.rules.blocked_share == 0.25);
  CHECK(p.rules.hysteresis == 0.0);
  CHECK(p.cost.hysteresis == 0.5);
  CHECK(p.explore.share == 0.125);
  CHECK(p.explore.shift == 2.0);

  const sy::ProfilingConfig& f = c.profiling;
  CHECK(f.counters == std::vector<std::string>{"PAPI_TOT_CYC"});
  CHECK(f.warmup == 0);
  CHECK(f.sample_every == 1);
  CHECK(f.count_every == 3);
  CHECK_FALSE(f.follow_changes);
  CHECK_FALSE(f.calibrate);
  CHECK(f.report == "out/report.json");
  CHECK(f.trace == "/tmp/trace.json");

  REQUIRE(c.kinds.size() == 3);
  CHECK(c.kinds.at("with space").placement == sy::Placement::blocking);
  CHECK(c.kinds.at("crunch").placement == sy::Placement::cpu);
  CHECK(c.kinds.at("crunch").idempotent);
  CHECK_FALSE(c.kinds.at("crunch").isolate);
  CHECK_FALSE(c.kinds.at("sandboxed").placement.has_value());
  CHECK(c.kinds.at("sandboxed").isolate);
  CHECK(c.kinds.find(std::string_view{"crunch"}) != c.kinds.end());
}

TEST_CASE("config: policy names round-trip", "[config]") {
  for (sy::PolicyName p : sy::all_policy_names) {
    CHECK(sy::parse_policy_name(sy::to_string(p)) == p);
  }
  CHECK_FALSE(sy::parse_policy_name("Rules").has_value());
}

TEST_CASE("config: a TOML syntax error names file, line and column", "[config]") {
  const sy::ConfigError e = error_of("[executors]\nstack_kib = 64\nshards = \n");
  CHECK(e.file() == "switchyard.toml");
  CHECK(e.line() == 3);
  CHECK(e.key().empty());
  CHECK_THAT(e.what(), Contains("switchyard.toml:3:"));
  CHECK_THAT(e.what(), Contains("Error while parsing"));

  const sy::ConfigError twice = error_of("[executors]\nshards = 1\nshards = 2\n");
  CHECK_THAT(twice.what(), Contains("switchyard.toml:3:"));
  CHECK_THAT(twice.what(), Contains("shards"));
}

TEST_CASE("config: an unknown key is an error with a suggestion", "[config]") {
  struct Case {
    std::string_view text;
    std::string_view message;
  };
  const Case c = GENERATE(
      Case{"[executor]\nshards = 2\n",
           "switchyard.toml:1:2: executor: unknown key; did you mean 'executors'?"},
      Case{"[executors]\nstack_kb = 64\n",
           "switchyard.toml:2:1: executors.stack_kb = 64: unknown key; did you mean 'stack_kib'?"},
      Case{"[policy.rules]\ncpu_shrae = 0.5\n",
           "policy.rules.cpu_shrae = 0.5: unknown key; did you mean 'cpu_share'?"},
      Case{"[kinds.\"db.query\"]\nplacment = \"cpu\"\n",
           "switchyard.toml:2:1: kinds.\"db.query\".placment = \"cpu\": unknown key; did you "
           "mean 'placement'?"},
      Case{"[policy]\nzzz = 1\n",
           "policy.zzz = 1: unknown key (valid: name, fixed, rules, cost, explore)"},
      Case{"verbose = true\n",
           "switchyard.toml:1:1: verbose = true: unknown key (valid: executors, policy, "
           "profiling, kinds)"});
  const sy::ConfigError e = error_of(c.text);
  CHECK_THAT(e.what(), Contains(std::string(c.message)));
  CHECK(e.problems().size() == 1);
}

TEST_CASE("config: a value of the wrong type is an error", "[config]") {
  struct Case {
    std::string_view text;
    std::string_view key;
    std::string_view message;
  };
  const Case c = GENERATE(
      Case{"[executors]\nstack_kib = \"64\"\n", "executors.stack_kib",
           "switchyard.toml:2:13: executors.stack_kib = \"64\": expected an integer, got a string"},
      Case{"[executors]\nfiber_workers = 2.0\n", "executors.fiber_workers",
           "executors.fiber_workers = 2.0: expected an integer, got a floating-point number"},
      Case{"[executors]\nwatchdog = 1\n", "executors.watchdog",
           "executors.watchdog = 1: expected a boolean, got an integer"},
      Case{"[policy.rules]\ncpu_share = \"high\"\n", "policy.rules.cpu_share",
           "policy.rules.cpu_share = \"high\": expected a number, got a string"},
      Case{"executors = 4\n", "executors",
           "switchyard.toml:1:13: executors = 4: expected a table, got an integer"},
      Case{"[kinds]\nfetch = \"fiber\"\n", "kinds.fetch",
           "kinds.fetch = \"fiber\": expected a table, got a string"},
      Case{"[profiling]\ncounters = [\"PAPI_TOT_INS\", 3]\n", "profiling.counters[1]",
           "switchyard.toml:2:29: profiling.counters[1] = 3: expected a string, got an integer"},
      Case{"[profiling]\ncounters = \"PAPI_TOT_INS\"\n", "profiling.counters",
           "expected an array, got a string"},
      // An array is shown as written, non-finite numbers and inline tables included.
      Case{"[executors]\nstack_kib = [nan, -inf, 1e308, 0.5, { a = inf }, [\"x\"]]\n",
           "executors.stack_kib",
           "executors.stack_kib = [nan, -inf, 1e+308, 0.5, { a = inf }, [\"x\"]]: expected an "
           "integer, got an array"});
  const sy::ConfigError e = error_of(c.text);
  CHECK(e.key() == c.key);
  CHECK_THAT(e.what(), Contains(std::string(c.message)));
}

TEST_CASE("config: a value out of range is an error", "[config]") {
  struct Case {
    std::string_view text;
    std::string_view key;
    std::string_view value;
    std::string_view message;
  };
  const Case c = GENERATE(
      Case{"[executors]\nstack_kib = -4\n", "executors.stack_kib", "-4",
           "switchyard.toml:2:13: executors.stack_kib = -4: must be at least 16 (KiB)"},
      Case{"[executors]\nstack_kib = 8\n", "executors.stack_kib", "8", "must be at least 16 (KiB)"},
      Case{"[executors]\nfiber_workers = -1\n", "executors.fiber_workers", "-1",
           "executors.fiber_workers = -1: must be at least 0"},
      Case{"[executors]\nblocking_idle_ms = -5\n", "executors.blocking_idle_ms", "-5",
           "must be at least 0 (ms)"},
      Case{"[executors]\nstall_threshold_us = 0\n", "executors.stall_threshold_us", "0",
           "must be at least 1 (us)"},
      Case{"[executors]\nshards = 100000000\n", "executors.shards", "100000000",
           "must be at most 65533"},
      Case{"[executors]\nblocking_min = 8\nblocking_max = 4\n", "executors.blocking_min", "8",
           "switchyard.toml:2:16: executors.blocking_min = 8: must be at most "
           "executors.blocking_max (4)"},
      Case{"[executors]\nblocking_min = 100\n", "executors.blocking_min", "100",
           "must be at most executors.blocking_max (64)"},
      Case{"[executors]\nblocking_max = 0\n", "executors.blocking_max", "0", "must be at least 1"},
      Case{"[executors]\nshard_inflight = 0\n", "executors.shard_inflight", "0",
           "must be at least 1"},
      Case{"[policy.rules]\ncpu_share = 1.5\n", "policy.rules.cpu_share", "1.5",
           "policy.rules.cpu_share = 1.5: must be between 0 and 1"},
      Case{"[policy.rules]\nblocked_share = -0.1\n", "policy.rules.blocked_share", "-0.1",
           "must be between 0 and 1"},
      Case{"[policy.rules]\nhysteresis = nan\n", "policy.rules.hysteresis", "nan",
           "must be between 0 and 1"},
      Case{"[policy.rules]\nmin_samples = 0\n", "policy.rules.min_samples", "0",
           "must be at least 1"},
      Case{"[policy.explore]\nshare = 2\n", "policy.explore.share", "2", "must be between 0 and 1"},
      Case{"[policy.explore]\nshift = -1\n", "policy.explore.shift", "-1", "must be at least 0"},
      Case{"[profiling]\nsample_every = 0\n", "profiling.sample_every", "0", "must be at least 1"},
      Case{"[profiling]\ncount_every = 0\n", "profiling.count_every", "0", "must be at least 1"},
      Case{"[profiling]\ncounters = [\"PAPI_TOT_INS\", \"\"]\n", "profiling.counters[1]", "\"\"",
           "must not be empty"},
      Case{"[profiling]\ncounters = [\"PAPI_TOT_INS\", \"PAPI_TOT_INS\"]\n",
           "profiling.counters[1]", "\"PAPI_TOT_INS\"", "is listed twice"},
      Case{"[policy]\nname = \"rule\"\n", "policy.name", "\"rule\"",
           "switchyard.toml:2:8: policy.name = \"rule\": unknown policy; did you mean 'rules'? "
           "(valid: fixed, rules, cost, explore)"},
      Case{"[policy]\nname = \"random\"\n", "policy.name", "\"random\"",
           "unknown policy (valid: fixed, rules, cost, explore)"},
      Case{"[kinds.fetch]\nplacement = \"gpu\"\n", "kinds.fetch.placement", "\"gpu\"",
           "switchyard.toml:2:13: kinds.fetch.placement = \"gpu\": unknown placement; did you "
           "mean 'cpu'? (valid: fiber, cpu, blocking, shard)"},
      Case{"[kinds.fetch]\nplacement = \"thread\"\n", "kinds.fetch.placement", "\"thread\"",
           "unknown placement (valid: fiber, cpu, blocking, shard)"},
      Case{"[policy.fixed]\nplacement = \"fibers\"\n", "policy.fixed.placement", "\"fibers\"",
           "switchyard.toml:2:13: policy.fixed.placement = \"fibers\": unknown placement; did "
           "you mean 'fiber'? (valid: fiber, cpu, blocking, shard)"},
      Case{"[kinds.fetch]\nplacement = \"fiber\"\nisolate = true\n", "kinds.fetch.isolate", "true",
           "kinds.fetch.isolate = true: an isolated kind runs only in process shards, but "
           "placement pins it to fiber"},
      Case{"[kinds.\"\"]\nisolate = true\n", "kinds.\"\"", "", "a kind name must not be empty"});
  const sy::ConfigError e = error_of(c.text);
  CHECK(e.key() == c.key);
  CHECK(e.value() == c.value);
  CHECK_THAT(e.what(), Contains(std::string(c.message)));
}

TEST_CASE("config: every problem is reported, in file order", "[config]") {
  const sy::ConfigError e = error_of(
      "[profiling]\nwarmup = -1\n[executors]\nstack_kib = 1\nstak_kib = 64\n[kinds.a]\n"
      "placement = \"gpu\"\n");
  REQUIRE(e.problems().size() == 4);
  CHECK(e.problems()[0].key == "profiling.warmup");
  CHECK(e.problems()[1].key == "executors.stack_kib");
  CHECK(e.problems()[2].key == "executors.stak_kib");
  CHECK(e.problems()[3].key == "kinds.a.placement");
  CHECK(e.line() == 2);
  CHECK(e.key() == "profiling.warmup");
  CHECK_THAT(e.what(), Equals("switchyard.toml:2:10: profiling.warmup = -1: must be at least 0\n"
                              "switchyard.toml:4:13: executors.stack_kib = 1: must be at least "
                              "16 (KiB)\n"
                              "switchyard.toml:5:1: executors.stak_kib = 64: unknown key; did "
                              "you mean 'stack_kib'?\n"
                              "switchyard.toml:7:13: kinds.a.placement = \"gpu\": unknown "
                              "placement; did you mean 'cpu'? (valid: fiber, cpu, blocking, "
                              "shard)"));
}

TEST_CASE("config: an unreadable file names the path and the OS error", "[config]") {
  const TempDir dir;
  const fs::path missing = dir.path() / "missing.toml";
  try {
    sy::Config::from_file(missing);
    FAIL("a missing file was read");
  } catch (const sy::ConfigError& e) {
    CHECK(e.file() == missing.string());
    CHECK(e.line() == 0);
    CHECK_THAT(e.what(), Equals(missing.string() + ": cannot read: No such file or directory"));
  }
  CHECK_THROWS_WITH(sy::Config::from_file(dir.path()),
                    Equals(dir.path().string() + ": is a directory, not a regular file"));
}

TEST_CASE("config: from_file locates errors in that file", "[config]") {
  const TempDir dir;
  const fs::path file = dir.write("bad.toml", "[executors]\n\nstack_kib = -4\n");
  CHECK_THROWS_WITH(
      sy::Config::from_file(file),
      Equals(file.string() + ":3:13: executors.stack_kib = -4: must be at least 16 (KiB)"));
}

TEST_CASE("config: discover() prefers SWITCHYARD_CONFIG, then ./switchyard.toml, then defaults",
          "[config]") {
  const TempDir dir;
  sy::ConfigEnv env;
  env.working_dir = dir.path();

  SECTION("neither: the defaults") {
    const sy::Config c = sy::Config::discover(env);
    CHECK(c.source == "defaults");
    check_default_sections(c);
  }
  SECTION("./switchyard.toml when present") {
    const fs::path local = dir.write("switchyard.toml", "[executors]\nshards = 3\n");
    const sy::Config c = sy::Config::discover(env);
    CHECK(c.source == local.string());
    CHECK(c.executors.shards == 3);
  }
  SECTION("SWITCHYARD_CONFIG over ./switchyard.toml, relative to the working directory") {
    dir.write("switchyard.toml", "[executors]\nshards = 3\n");
    const fs::path named = dir.write("other.toml", "[executors]\nshards = 5\n");
    env.config = "other.toml";
    const sy::Config c = sy::Config::discover(env);
    CHECK(c.source == named.string());
    CHECK(c.executors.shards == 5);
  }
  SECTION("an absolute SWITCHYARD_CONFIG") {
    const fs::path named = dir.write("abs.toml", "[executors]\nshards = 6\n");
    env.config = named.string();
    env.working_dir = "/nonexistent";
    CHECK(sy::Config::discover(env).executors.shards == 6);
  }
  SECTION("an empty SWITCHYARD_CONFIG counts as unset") {
    dir.write("switchyard.toml", "[executors]\nshards = 3\n");
    env.config = "";
    CHECK(sy::Config::discover(env).executors.shards == 3);
  }
  SECTION("a missing SWITCHYARD_CONFIG is an error, not the defaults") {
    dir.write("switchyard.toml", "[executors]\nshards = 3\n");
    env.config = "missing.toml";
    CHECK_THROWS_WITH(sy::Config::discover(env),
                      Equals((dir.path() / "missing.toml").string() +
                             ": cannot read: No such file or directory (named by "
                             "SWITCHYARD_CONFIG)"));
  }
  SECTION("a bad ./switchyard.toml is an error, not the defaults") {
    dir.write("switchyard.toml", "[executors]\nshards = -3\n");
    CHECK_THROWS_WITH(sy::Config::discover(env),
                      Contains("switchyard.toml:2:10: executors.shards = -3"));
  }
  SECTION("a ./switchyard.toml that is no regular file is an error naming it") {
    fs::create_directory(dir.path() / "switchyard.toml");
    CHECK_THROWS_WITH(sy::Config::discover(env),
                      Equals((dir.path() / "switchyard.toml").string() +
                             ": is a directory, not a regular file"));
  }
  SECTION("no ./switchyard.toml, as a dangling link or below a file, gives the defaults") {
    fs::create_symlink(dir.path() / "gone.toml", dir.path() / "switchyard.toml");
    CHECK(sy::Config::discover(env).source == "defaults");
    env.working_dir = dir.write("plain", "not a directory");
    CHECK(sy::Config::discover(env).source == "defaults");
  }
  SECTION("SWITCHYARD_REPORT and SWITCHYARD_TRACE override the file") {
    dir.write("switchyard.toml", "[profiling]\nreport = \"file.json\"\ntrace = \"t.json\"\n");
    env.report = "env.json";
    env.trace = "";
    const sy::Config c = sy::Config::discover(env);
    CHECK(c.profiling.report == "env.json");
    CHECK(c.profiling.trace.empty());
  }
  SECTION("without overrides the file's paths stay") {
    dir.write("switchyard.toml", "[profiling]\nreport = \"file.json\"\n");
    CHECK(sy::Config::discover(env).profiling.report == "file.json");
  }
}
