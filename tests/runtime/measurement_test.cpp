#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

sy::Report::KindReport run_kind(sy::Placement where, void (*body)()) {
  auto config = sy::test::small_config();
  config.profiling.warmup = 1000;  // measure every task
  sy::Runtime rt(config);
  // One at a time, so no task queues behind another and the shares are the task's own.
  for (int i = 0; i < 8; ++i) rt.spawn("k", body, sy::on(where)).get();
  auto report = rt.report();
  REQUIRE(report.kinds.size() == 1);
  return report.kinds[0];
}

// trivial_kind() spawns `tasks` trivial tasks of one kind at once and reports the kind.
sy::Report::KindReport trivial_kind(const sy::Config& config, int tasks) {
  sy::Runtime rt(config);
  std::vector<sy::Future<int>> fs;
  for (int i = 0; i < tasks; ++i) fs.push_back(rt.spawn("sampled", [i] { return i; }));
  for (auto& f : fs) f.get();
  return rt.report().kinds.at(0);
}

}  // namespace

// Bounds are loose on purpose: this is a shared 2-core machine and the other tests run
// beside this one. The assertions are on active shares (wall less queued): under load a
// spinning task is preempted, and that time is rightly counted as queued, not as CPU.
TEST_CASE("a CPU-spinning kind's profile shows CPU close to wall", "[measurement]") {
  const auto k = run_kind(sy::Placement::cpu, [] { sy::test::spin_for(20ms); });
  CAPTURE(k.active_cpu_share, k.active_blocked_share, k.active_wait_share, k.queued_share);
  REQUIRE(k.measured == 8);
  REQUIRE(k.active_wait_share < 0.1);
  if (sy::test::kUnderTsan) return;  // its own waits read as blocking (support.hpp)
  REQUIRE(k.active_cpu_share > 0.8);
  REQUIRE(k.active_blocked_share < 0.2);
}

TEST_CASE("a sleeping kind's profile shows wait close to wall", "[measurement]") {
  const auto k = run_kind(sy::Placement::fiber, [] { sy::this_task::sleep_for(30ms); });
  CAPTURE(k.active_cpu_share, k.active_blocked_share, k.active_wait_share, k.queued_share);
  REQUIRE(k.active_wait_share > 0.8);
  REQUIRE(k.active_cpu_share < 0.2);
  REQUIRE(k.wall_p50 >= 25ms);
}

TEST_CASE("a Switchyard wait on a pool thread counts as waiting, not blocked", "[measurement]") {
  const auto k = run_kind(sy::Placement::blocking, [] { sy::this_task::sleep_for(30ms); });
  CAPTURE(k.active_cpu_share, k.active_blocked_share, k.active_wait_share, k.queued_share);
  REQUIRE(k.active_wait_share > 0.8);
  REQUIRE(k.active_blocked_share < 0.2);
}

TEST_CASE("a kind calling usleep on a pool thread shows blocked close to wall", "[measurement]") {
  const auto k = run_kind(sy::Placement::blocking, [] { ::usleep(30'000); });
  CAPTURE(k.active_cpu_share, k.active_blocked_share, k.active_wait_share, k.queued_share);
  REQUIRE(k.active_blocked_share > 0.7);
  REQUIRE(k.active_cpu_share < 0.2);
  REQUIRE(k.active_wait_share < 0.2);
}

TEST_CASE("sampling measures every task during warm-up, then one in sample_every",
          "[measurement]") {
  auto config = sy::test::small_config();
  config.profiling.warmup = 10;
  config.profiling.sample_every = 5;
  config.profiling.follow_changes = false;
  const auto k = trivial_kind(config, 60);
  REQUIRE(k.finished == 60);
  // Tasks 0..9, then the last of every five: 14, 19, ..., 59: 10 + 10.
  REQUIRE(k.measured == 20);
}

TEST_CASE("hinted tasks are sampled on schedule even while their kind's profile is unsettled",
          "[measurement]") {
  auto config = sy::test::small_config();
  config.profiling.warmup = 10;
  config.profiling.sample_every = 5;
  config.profiling.follow_changes = true;
  sy::Runtime rt(config);
  // Every task runs on the CPU pool by hint while the kind stays where the policy put it, so
  // none is averaged into its profile, which stays unsettled: following it would measure all.
  // One at a time, so that each is spawned after the last one's measurement was folded in.
  for (int i = 0; i < 60; ++i) {
    rt.spawn(
          "hinted", [i] { return i; }, sy::on(sy::Placement::cpu))
        .get();
  }
  const auto k = rt.report().kinds.at(0);
  REQUIRE(k.finished == 60);
  REQUIRE(k.measured == 20);
}

TEST_CASE("after warm-up, one measured task in count_every reads the counters", "[measurement]") {
  auto config = sy::test::small_config();
  config.profiling.warmup = 0;
  config.profiling.sample_every = 2;
  config.profiling.count_every = 3;
  config.profiling.follow_changes = false;
  const auto k = trivial_kind(config, 60);
  REQUIRE(k.measured == 30);
  REQUIRE(k.counted == 10);
}
