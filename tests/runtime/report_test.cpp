#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

// KnownWorkload runs three kinds, side by side, under the rules policy: one that computes, one
// that sleeps in a Switchyard wait, one that blocks its thread in the OS.
sy::Report known_workload(sy::Config config) {
  config.policy.name = sy::PolicyName::rules;
  config.profiling.warmup = 1000;  // every task measured: the shares below are exact sums
  sy::Runtime rt(config);
  std::vector<sy::Future<void>> fs;
  for (int round = 0; round < 16; ++round) {
    fs.push_back(rt.spawn("crunch", [] { sy::test::spin_for(4ms); }));
    fs.push_back(rt.spawn("nap", [] { sy::this_task::sleep_for(4ms); }));
    fs.push_back(rt.spawn("legacy", [] { ::usleep(4000); }));
    for (auto& f : fs) f.get();
    fs.clear();
  }
  return rt.report();
}

const sy::Report::KindReport& kind(const sy::Report& r, const std::string& name) {
  for (const auto& k : r.kinds) {
    if (k.name == name) return k;
  }
  FAIL("no kind '" << name << "' in the report");
  throw std::logic_error("unreachable");
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::filesystem::path scratch(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("switchyard-report-test-" + std::to_string(::getpid()) + "-" + name);
}

// refused() is why from_json() refuses `text`, or "accepted".
std::string refused(const std::string& text) {
  try {
    sy::Report::from_json(text);
  } catch (const sy::ReportFormatError& e) {
    return std::string(e.what());
  }
  return std::string("accepted");
}

}  // namespace

TEST_CASE("the report of a known workload shows each kind's shares and placement", "[report]") {
  const sy::Report r = known_workload(sy::test::small_config());
  const auto& crunch = kind(r, "crunch");
  const auto& nap = kind(r, "nap");
  const auto& legacy = kind(r, "legacy");
  CAPTURE(crunch.active_cpu_share, nap.active_wait_share, legacy.active_blocked_share);

  REQUIRE(crunch.placement == sy::Placement::cpu);
  // Under ThreadSanitizer its own waits read as blocking (support.hpp).
  REQUIRE((sy::test::kUnderTsan || crunch.active_cpu_share > 0.7));
  REQUIRE(nap.placement == sy::Placement::fiber);
  REQUIRE(nap.history.empty());
  REQUIRE(nap.active_wait_share > 0.7);
  REQUIRE(legacy.placement == sy::Placement::blocking);
  REQUIRE(legacy.active_blocked_share > 0.5);
  for (const auto* k : {&crunch, &legacy}) {
    REQUIRE_FALSE(k->history.empty());
    REQUIRE(k->history.front().from == sy::Placement::fiber);
    REQUIRE(k->history.back().to == k->placement);
    REQUIRE_FALSE(k->history.front().rule.empty());
  }
  for (const auto& k : r.kinds) {
    CAPTURE(k.name);
    REQUIRE(k.finished == 16);
    REQUIRE(k.measured == 16);
    std::uint64_t in_histogram = 0;
    for (const auto& b : k.wall_histogram) in_histogram += b.count;
    REQUIRE(in_histogram == k.measured);
    REQUIRE(k.wall_p50 >= 4ms);
    REQUIRE(k.first_seen <= r.uptime);
    const double of_wall =
        k.cpu_share + k.blocked_share + k.wait_share + k.join_share + k.queued_share;
    REQUIRE(of_wall == Approx(1.0).margin(0.02));
  }
  REQUIRE(r.machine.cores == sy::Topology::discover().core_count());
  REQUIRE(r.machine.hardware_threads >= r.machine.cores);
  REQUIRE(r.policy == "rules");
  REQUIRE(r.executors.size() >= 3);
}

TEST_CASE("a report survives a JSON round trip", "[report]") {
  const sy::Report r = known_workload(sy::test::small_config());
  const std::string json = r.to_json();
  const sy::Report back = sy::Report::from_json(json);
  REQUIRE(back.to_json() == json);
  REQUIRE(back.kinds.size() == r.kinds.size());
  for (std::size_t i = 0; i < r.kinds.size(); ++i) {
    const auto &a = r.kinds[i], &b = back.kinds[i];
    REQUIRE(b.name == a.name);
    REQUIRE(b.placement == a.placement);
    REQUIRE(b.history.size() == a.history.size());
    REQUIRE(b.wall_histogram == a.wall_histogram);
    REQUIRE(b.active_cpu_share == a.active_cpu_share);
    REQUIRE(b.ipc == a.ipc);
  }
  REQUIRE(back.counters.events.size() == r.counters.events.size());
  REQUIRE(back.machine.caches.size() == r.machine.caches.size());
}

TEST_CASE("reading a report names what is wrong with it", "[report]") {
  const std::string good = known_workload(sy::test::small_config()).to_json();
  auto replaced = [&](const std::string& from, const std::string& to) {
    const auto at = good.find(from);
    REQUIRE(at != std::string::npos);
    std::string text = good;
    return text.replace(at, from.size(), to);
  };
  REQUIRE_THAT(refused("{\"schema\": "), Catch::Contains("not JSON"));
  REQUIRE_THAT(refused("[1, 2]"), Catch::Contains("the document: expected an object"));
  REQUIRE_THAT(refused(replaced("\"switchyard.report\"", "\"other\"")),
               Catch::Contains("not a Switchyard report"));
  const std::string version = std::to_string(sy::Report::kSchemaVersion);
  const std::string next = std::to_string(sy::Report::kSchemaVersion + 1);
  REQUIRE_THAT(refused(replaced("\"version\": " + version, "\"version\": " + next)),
               Catch::Contains("version: " + next + " is not a version this reader knows"));
  REQUIRE_THAT(refused(replaced("\"first_seen_ns\": ", "\"first_seen_ns\": \"soon\", \"x\": ")),
               Catch::Contains("kinds[0].first_seen_ns: expected a whole number of nanoseconds, "
                               "found \"soon\""));
  REQUIRE_THAT(refused(replaced("\"placement\": \"cpu\"", "\"placement\": \"gpu\"")),
               Catch::Contains("placement: expected \"fiber\", \"cpu\", \"blocking\" or "
                               "\"shard\", found \"gpu\""));
  REQUIRE_THAT(refused(replaced("\"policy\": ", "\"policies\": ")),
               Catch::Contains("policy: missing"));
}

TEST_CASE("an infinite figure of a move survives the round trip, as null", "[report]") {
  sy::Report r;
  r.kinds.emplace_back();
  r.kinds[0].name = "k";
  r.kinds[0].history.push_back({std::chrono::nanoseconds{5}, sy::Placement::fiber,
                                sy::Placement::cpu, "least expected completion time", 1.5,
                                std::numeric_limits<double>::infinity()});
  const std::string json = r.to_json();
  REQUIRE_THAT(json, Catch::Contains("\"threshold\": null"));
  const sy::Report back = sy::Report::from_json(json);
  REQUIRE(back.kinds.at(0).history.at(0).threshold == std::numeric_limits<double>::infinity());
  REQUIRE(back.kinds.at(0).history.at(0).measured == 1.5);
}

TEST_CASE("a duration out of range is refused, not wrapped", "[report]") {
  const std::string good = sy::Report{}.to_json();
  for (const std::string bad : {"-1", "18446744073709551615", "1.5"}) {
    std::string text = good;
    const std::string field = "\"uptime_ns\": 0";
    text.replace(text.find(field), field.size(), "\"uptime_ns\": " + bad);
    CAPTURE(bad);
    REQUIRE_THROWS_WITH(sy::Report::from_json(text),
                        Catch::Contains("uptime_ns: expected a whole number of nanoseconds"));
  }
}

TEST_CASE("a text nested too deep or too long is refused before it is built", "[report]") {
  auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  const int bound = sy::Report::kMaxJsonDepth;
  // At the bound the text is read, and refused for what it is: not a report.
  REQUIRE_THAT(refused(nested(bound)), Catch::Contains("expected an object"));
  REQUIRE_THAT(refused(nested(bound + 1)), Catch::Contains("nested deeper than 32 levels"));
  // Deep enough to overflow a stack when the parsed values are destroyed recursively.
  REQUIRE_THAT(refused(nested(1'000'000)), Catch::Contains("nested deeper than 32 levels"));
  REQUIRE_THAT(refused(std::string(sy::Report::kMaxJsonBytes + 1, ' ')),
               Catch::Contains("more than the 268435456 a report may have"));
}

TEST_CASE("profiling.report writes the report when the runtime shuts down", "[report]") {
  auto config = sy::test::small_config();
  const auto json = scratch("exit.json");
  const auto table = scratch("exit.txt");
  for (const auto& path : {json, table}) {
    std::filesystem::remove(path);
    config.profiling.report = path;
    {
      sy::Runtime rt(config);
      rt.spawn("exiting", [] { return 1; }).get();
      REQUIRE_FALSE(std::filesystem::exists(path));
    }
    REQUIRE(std::filesystem::exists(path));
  }
  const sy::Report written = sy::Report::from_json(slurp(json));
  REQUIRE(written.kinds.size() == 1);
  REQUIRE(written.kinds[0].name == "exiting");
  REQUIRE(written.kinds[0].finished == 1);
  REQUIRE_THAT(slurp(table), Catch::StartsWith("policy: ") && Catch::Contains("exiting"));
  std::filesystem::remove(json);
  std::filesystem::remove(table);
}

TEST_CASE("a report that cannot be written says where and why", "[report]") {
  const sy::Report r;
  const std::filesystem::path nowhere = "/nonexistent-switchyard-dir/report.json";
  REQUIRE_THROWS_WITH(r.save(nowhere), Catch::Contains(nowhere.string()) &&
                                           Catch::Contains("No such file or directory"));
}
