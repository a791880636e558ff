#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <switchyard/errors.hpp>
#include <switchyard/runtime.hpp>

#include "shard_support.hpp"
#include "shard_tasks.hpp"

namespace switchyard::test {

TEST_CASE("values of several types make the round trip to a shard", "[round-trip]") {
  Runtime rt(shard_config(2, 8));
  const Hint shard = on(Placement::shard);
  const Hint local = on(GENERATE(Placement::fiber, Placement::cpu));

  SECTION("the call runs in another process only when sent to a shard") {
    CHECK(rt.submit(shard, where).get() != ::getpid());
    CHECK(rt.submit(local, where).get() == ::getpid());
  }
  SECTION("integers, converted to the parameters' types") {
    CHECK(rt.submit(shard, add, 40, 2).get() == 42);
    CHECK(rt.submit(shard, add, -(std::int64_t{1} << 40), 1).get() == -(std::int64_t{1} << 40) + 1);
  }
  SECTION("strings") {
    const std::string long_text(100'000, 'q');
    CHECK(rt.submit(shard, shout, "hello").get() == "HELLO!");
    CHECK(rt.submit(shard, shout, long_text).get() == rt.submit(local, shout, long_text).get());
    CHECK(rt.submit(shard, shout, std::string()).get() == "!");
  }
  SECTION("vectors, also large enough to need several writes") {
    std::vector<int> v(1 << 20);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int>((i * 7919) % 1000003);
    const std::vector<int> remote = rt.submit(shard, sorted, v).get();
    CHECK(remote == rt.submit(local, sorted, v).get());
    CHECK(std::is_sorted(remote.begin(), remote.end()));
  }
  SECTION("a user struct with a serialize()") {
    CHECK(rt.submit(shard, mirror, Point{1.5, -2, "p"}).get() == Point{-1.5, 2, "p'"});
  }
  SECTION("no arguments and no result") {
    auto f = rt.submit(shard, nothing);
    REQUIRE_NOTHROW(f.get());
  }
}

TEST_CASE("a task's exception in a shard reaches the caller with its message", "[round-trip]") {
  Runtime rt(shard_config(1, 4));
  const Hint shard = on(Placement::shard);

  auto f = rt.submit(shard, throws_out_of_range, 7);
  try {
    f.get();
    FAIL("no exception");
  } catch (const ShardTaskError& e) {
    CHECK(std::string(e.what()) == "index 7 is out of range");
    CHECK(e.type() == "std::out_of_range");
  }
  try {
    rt.submit(shard, throws_int).get();
    FAIL("no exception");
  } catch (const ShardTaskError& e) {
    CHECK(e.type() == "int");
  }
  // In this process the task's own exception comes through.
  CHECK_THROWS_AS(rt.submit(on(Placement::cpu), throws_out_of_range, 1).get(), std::out_of_range);
  // The shard survived both.
  CHECK(rt.submit(shard, add, 1, 1).get() == 2);
  const Report report = rt.report();
  const auto shards = std::find_if(report.executors.begin(), report.executors.end(),
                                   [](const auto& e) { return e.placement == Placement::shard; });
  REQUIRE(shards != report.executors.end());
  CHECK(shards->restarts == 0);
}

TEST_CASE("a kind marked isolate runs only in shards; others follow their placement",
          "[round-trip]") {
  Config config = shard_config(1, 4);
  config.kinds["where"].isolate = true;
  Runtime rt(config);
  CHECK(rt.submit(where).get() != ::getpid());
  CHECK(rt.submit(on(Placement::cpu), where).get() != ::getpid());  // isolation wins
  CHECK(rt.submit(add, 2, 3).get() == 5);  // no hint, no pin: in this process, on fibers
  const Report report = rt.report();
  for (const auto& k : report.kinds) {
    if (k.name == "where") CHECK(k.placement == Placement::shard);
    if (k.name == "add") CHECK(k.placement != Placement::shard);
  }
}

TEST_CASE("a kind pinned to shards in the config goes there and is measured there",
          "[round-trip]") {
  Config config = shard_config(2, 4);
  config.kinds["add"].placement = Placement::shard;
  Runtime rt(config);
  for (int i = 0; i < 20; ++i) CHECK(rt.submit(add, i, i).get() == 2 * i);
  const Report report = rt.report();
  const auto k = std::find_if(report.kinds.begin(), report.kinds.end(),
                              [](const auto& r) { return r.name == "add"; });
  REQUIRE(k != report.kinds.end());
  CHECK(k->finished == 20);
  CHECK(k->measured == 20);
  CHECK(k->wall_p50.count() > 0);
}

TEST_CASE("a shard call's time is split as a task's in the process is", "[round-trip]") {
  Config config = shard_config(1, 4);
  config.profiling.warmup = 1000;  // measure every call
  Runtime rt(config);
  for (int i = 0; i < 6; ++i) CHECK(rt.submit(on(Placement::shard), nap, i, 20).get() == i);
  {
    // Busy threads here take the cores from the shard while it computes: it is preempted,
    // which is queueing for a core, not blocking.
    std::atomic<bool> stop{false};
    std::vector<std::thread> hogs;
    for (unsigned i = 0; i < 2 * std::max(1u, std::thread::hardware_concurrency()); ++i) {
      hogs.emplace_back([&] {
        while (!stop.load()) spin_for(std::chrono::milliseconds(1));
      });
    }
    for (int i = 0; i < 6; ++i) CHECK(rt.submit(on(Placement::shard), computes, 20).get() == 20);
    stop = true;
    for (auto& t : hogs) t.join();
  }
  const Report report = rt.report();
  auto kind = [&](std::string_view name) {
    const auto k = std::find_if(report.kinds.begin(), report.kinds.end(),
                                [&](const auto& r) { return r.name == name; });
    REQUIRE(k != report.kinds.end());
    return *k;
  };
  const auto napping = kind("nap");
  CAPTURE(napping.active_cpu_share, napping.active_blocked_share, napping.queued_share);
  CHECK(napping.active_blocked_share > 0.7);
  const auto computing = kind("computes");
  CAPTURE(computing.active_cpu_share, computing.active_blocked_share, computing.queued_share);
  CHECK(computing.queued_share > 0.2);  // it was preempted: else this proves nothing
  CHECK(computing.active_cpu_share > 0.7);
  CHECK(computing.active_blocked_share < 0.2);
}

}  // namespace switchyard::test

namespace switchyard::test {

namespace {

// ScriptedPolicy sends a kind to the shards after its 4th measured task, and back to the CPU
// pool after its 8th.
class ScriptedPolicy final : public Policy {
 public:
  std::string_view name() const noexcept override { return "scripted"; }
  Decision place(const KindState& kind, const Surroundings&) noexcept override {
    const std::uint64_t n = kind.profile.count();
    if (kind.shardable && n >= 4 && n < 8) return {Placement::shard, "script: shards", 0, 0};
    return {Placement::cpu, "script: cpu", 0, 0};
  }
};

}  // namespace

TEST_CASE("a registered kind moves into the shards and back at task boundaries", "[round-trip]") {
  Runtime rt(shard_config(1, 4), std::make_unique<ScriptedPolicy>());
  std::vector<bool> in_shard;
  for (int i = 0; i < 12; ++i) in_shard.push_back(rt.submit(where).get() != ::getpid());
  const std::vector<bool> expected = {false, false, false, false, true,  true,
                                      true,  true,  false, false, false, false};
  CHECK(in_shard == expected);
  // A callable kind is never sent to the shards, whatever the policy says.
  for (int i = 0; i < 8; ++i)
    CHECK(rt.spawn("callable", [] { return ::getpid(); }).get() == ::getpid());
  const Report report = rt.report();
  const auto k = std::find_if(report.kinds.begin(), report.kinds.end(),
                              [](const auto& r) { return r.name == "where"; });
  REQUIRE(k != report.kinds.end());
  REQUIRE(k->history.size() == 3);
  CHECK((k->history[1].from == Placement::cpu && k->history[1].to == Placement::shard));
  CHECK((k->history[2].from == Placement::shard && k->history[2].to == Placement::cpu));
}

TEST_CASE("a trace shows each shard call on its shard's track", "[round-trip]") {
  Config config = shard_config(2, 8);
  config.profiling.trace = std::filesystem::temp_directory_path() /
                           ("switchyard-shard-trace-" + std::to_string(::getpid()) + ".json");
  {
    Runtime rt(config);
    std::vector<Future<std::int64_t>> calls;
    for (int i = 0; i < 20; ++i) calls.push_back(rt.submit(on(Placement::shard), add, i, 1));
    for (auto& c : calls) c.get();
  }
  std::ifstream in(config.profiling.trace);
  const nlohmann::json trace = nlohmann::json::parse(in);
  std::filesystem::remove(config.profiling.trace);
  std::map<int, std::string> tracks;
  for (const auto& e : trace.at("traceEvents")) {
    if (e.at("ph") == "M" && e.at("name") == "thread_name") {
      tracks[e.at("tid").get<int>()] = e.at("args").at("name").get<std::string>();
    }
  }
  int calls_on_shards = 0;
  for (const auto& e : trace.at("traceEvents")) {
    if (e.at("ph") != "X" || e.at("name") != "add") continue;
    CHECK(tracks.at(e.at("tid").get<int>()).rfind("shard ", 0) == 0);
    CHECK(e.at("dur").get<double>() >= 0);
    ++calls_on_shards;
  }
  REQUIRE(calls_on_shards == 20);
}

}  // namespace switchyard::test
