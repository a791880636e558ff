#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::filesystem::path scratch(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("switchyard-trace-test-" + std::to_string(::getpid()) + "-" + name);
}

// stalls_of() is how often the watchdog saw a task of `kind` hold its worker; 0 for a kind
// the report does not list.
std::uint64_t stalls_of(const sy::Report& r, const std::string& kind) {
  for (const auto& k : r.kinds) {
    if (k.name == kind) return k.stalls;
  }
  return 0;
}

// traced() runs a workload with profiling.trace set and returns the trace it wrote: a task
// that travels fiber -> cpu -> blocking -> fiber, a CPU kind the rules policy moves to the CPU
// pool, sleeping tasks, and a task that blocks a fiber worker in the OS until the watchdog
// notices.
json traced() {
  auto config = sy::test::small_config();
  config.policy.name = sy::PolicyName::rules;
  const auto path = scratch("trace.json");
  config.profiling.trace = path;
  {
    sy::Runtime rt(config);
    std::vector<sy::Future<void>> fs;
    fs.push_back(rt.spawn(
        "traveller",
        [] {
          for (sy::Placement p :
               {sy::Placement::cpu, sy::Placement::blocking, sy::Placement::fiber}) {
            sy::this_task::move_to(p);
          }
        },
        sy::on(sy::Placement::fiber)));
    for (int i = 0; i < 16; ++i) {
      fs.push_back(rt.spawn("crunch", [] { sy::test::spin_for(2ms); }));
      fs.push_back(rt.spawn("nap", [] { sy::this_task::sleep_for(2ms); }));
    }
    // Blocked 50 ms at a time until the watchdog has counted a stall (30 s at most): a monitor
    // thread that the machine held back through a single block would have seen nothing.
    fs.push_back(rt.spawn(
        "stuck",
        [&rt] {
          const auto give_up = std::chrono::steady_clock::now() + 30s;
          do {
            ::usleep(50'000);
          } while (stalls_of(rt.report(), "stuck") == 0 &&
                   std::chrono::steady_clock::now() < give_up);
        },
        sy::on(sy::Placement::fiber)));
    for (auto& f : fs) f.get();
  }
  std::ifstream in(path);
  REQUIRE(in);
  json trace = json::parse(in);  // throws, failing the test, unless it is valid JSON
  std::filesystem::remove(path);
  return trace;
}

}  // namespace

TEST_CASE("a trace is trace-event JSON with a track per worker and a slice per task run",
          "[trace]") {
  const json trace = traced();
  REQUIRE(trace.at("otherData").at("schema") == "switchyard.trace");
  REQUIRE(trace.at("otherData").at("dropped_slices") == 0);
  const json& events = trace.at("traceEvents");
  REQUIRE(events.is_array());

  std::map<int, std::string> tracks;  // tid -> thread name
  std::map<std::string, std::vector<json>> by_phase;
  for (const json& e : events) {
    REQUIRE(e.at("ph").is_string());
    REQUIRE(e.at("pid") == ::getpid());
    REQUIRE(e.at("tid").is_number_integer());
    const std::string ph = e.at("ph");
    if (ph == "M" && e.at("name") == "thread_name") {
      tracks[e.at("tid").get<int>()] = e.at("args").at("name").get<std::string>();
    }
    if (ph != "M") {
      REQUIRE(e.at("ts").is_number());
      REQUIRE(e.at("ts").get<double>() >= 0);
    }
    by_phase[ph].push_back(e);
  }
  std::set<std::string> names;
  for (const auto& [tid, name] : tracks) names.insert(name);
  CAPTURE(names);
  REQUIRE(names.count("policy") == 1);
  REQUIRE(names.count("fiber worker 0") == 1);
  REQUIRE(names.count("cpu 0") == 1);
  REQUIRE(names.count("blocking 0") == 1);

  // Slices: each on a named track, with a duration; the traveller ran one on each executor.
  std::map<std::string, int> slices_of;
  std::set<std::string> traveller_tracks;
  for (const json& x : by_phase["X"]) {
    REQUIRE(tracks.count(x.at("tid").get<int>()) == 1);
    REQUIRE(x.at("dur").get<double>() >= 0);
    REQUIRE(x.at("args").at("task").get<std::uint64_t>() > 0);
    const std::string kind = x.at("name");
    ++slices_of[kind];
    if (kind == "traveller") {
      const std::string track = tracks[x.at("tid").get<int>()];
      traveller_tracks.insert(track.substr(0, track.find(' ')));
    }
  }
  REQUIRE(slices_of["crunch"] >= 16);
  REQUIRE(slices_of["nap"] >= 32);  // each runs, sleeps, runs again
  REQUIRE(slices_of["traveller"] >= 4);
  REQUIRE(traveller_tracks == std::set<std::string>{"fiber", "cpu", "blocking"});

  // Flows: the traveller's three moves, each a start and a finish with the same id.
  REQUIRE(by_phase["s"].size() >= 3);
  REQUIRE(by_phase["s"].size() == by_phase["f"].size());
  std::set<std::uint64_t> started, finished;
  for (const json& s : by_phase["s"]) started.insert(s.at("id").get<std::uint64_t>());
  for (const json& f : by_phase["f"]) finished.insert(f.at("id").get<std::uint64_t>());
  REQUIRE(started == finished);

  // Marks: the policy's move of crunch on the policy track, the watchdog's stall on a fiber
  // worker's track.
  bool moved = false, stalled = false;
  for (const json& i : by_phase["i"]) {
    const std::string track = tracks.at(i.at("tid").get<int>());
    if (i.at("cat") == "policy" && i.at("args").at("kind") == "crunch") {
      moved = true;
      REQUIRE(track == "policy");
      REQUIRE(i.at("args").at("to") == "cpu");
      REQUIRE_FALSE(i.at("args").at("rule").get<std::string>().empty());
    }
    if (i.at("cat") == "stall" && i.at("args").at("kind") == "stuck") {
      stalled = true;
      REQUIRE(track.rfind("fiber worker", 0) == 0);
    }
  }
  REQUIRE(moved);
  REQUIRE(stalled);
}
