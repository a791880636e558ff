#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>

#include <switchyard/kind_profile.hpp>
#include <switchyard/latency_histogram.hpp>

#include "sample.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;
using sy::test::sample;

TEST_CASE("histogram quantiles are within one bucket of the truth", "[profile]") {
  sy::LatencyHistogram h;
  REQUIRE(h.quantile(0.5) == 0ns);
  for (int i = 1; i <= 1000; ++i) h.add(std::chrono::microseconds(i));
  REQUIRE(h.count() == 1000);
  const auto p50 = h.quantile(0.5);
  const auto p99 = h.quantile(0.99);
  REQUIRE(p50 >= 500us);
  REQUIRE(p50 <= 500us * 1.125 + 1us);
  REQUIRE(p99 >= 990us);
  REQUIRE(p99 <= 990us * 1.125 + 1us);
  REQUIRE(h.quantile(0.0) <= h.quantile(1.0));
  h.add(-5ns);  // clamps to zero, never crashes
  REQUIRE(h.quantile(0.0) == 0ns);
}

TEST_CASE("histogram merge adds counts", "[profile]") {
  sy::LatencyHistogram a;
  sy::LatencyHistogram b;
  for (int i = 0; i < 10; ++i) a.add(1ms);
  for (int i = 0; i < 30; ++i) b.add(100ms);
  a.merge(b);
  REQUIRE(a.count() == 40);
  REQUIRE(a.quantile(0.2) < 2ms);
  REQUIRE(a.quantile(0.5) > 90ms);
}

TEST_CASE("histogram buckets list the non-empty ones in order, each holding its durations",
          "[profile]") {
  sy::LatencyHistogram h;
  REQUIRE(h.buckets().empty());
  for (int i = 0; i < 3; ++i) h.add(100ms);
  h.add(1us);
  h.add(0ns);
  const auto buckets = h.buckets();
  REQUIRE(buckets.size() == 3);
  REQUIRE(buckets[0].upper == 0ns);
  REQUIRE(buckets[0].count == 1);
  REQUIRE(buckets[1].upper >= 1us);
  REQUIRE(buckets[1].upper < 1125ns);  // within one 12.5% bucket
  REQUIRE(buckets[2].upper >= 100ms);
  REQUIRE(buckets[2].upper < 112500us);
  REQUIRE(buckets[2].count == 3);
}

TEST_CASE("shares follow the samples; active shares leave queueing out", "[profile]") {
  sy::KindProfile p;
  REQUIRE(p.cpu_share() == 0.0);
  for (int i = 0; i < 10; ++i) p.add(sample(6ms, 0ms, 0ms, 4ms));
  REQUIRE(p.count() == 10);
  REQUIRE(p.cpu_share() == Approx(0.6));
  REQUIRE(p.queued_share() == Approx(0.4));
  REQUIRE(p.active_cpu_share() == Approx(1.0));
  REQUIRE(p.mean_wall() == 10ms);
  REQUIRE(p.totals().cpu == 60ms);
}

TEST_CASE("the moving averages forget old behaviour", "[profile]") {
  sy::KindProfile p;
  for (int i = 0; i < 200; ++i) p.add(sample(10ms, 0ms, 0ms, 0ms));
  REQUIRE(p.active_cpu_share() == Approx(1.0));
  for (int i = 0; i < 200; ++i) p.add(sample(0ms, 0ms, 10ms, 0ms));
  // After a few windows of waiting tasks the profile says "waiting", not the all-time mix.
  REQUIRE(p.active_wait_share() > 0.95);
  REQUIRE(p.totals().cpu == 2000ms);
}

TEST_CASE("a kind's time waiting is its waits by cause added up", "[profile]") {
  sy::KindProfile p;
  p.add(sample(1ms, 0ms, 3ms, 0ms));
  auto s = sample(1ms, 0ms, 0ms, 0ms);
  s.waits[static_cast<std::size_t>(sy::WaitCause::io)] = 2ms;
  s.waits[static_cast<std::size_t>(sy::WaitCause::lock)] = 5ms;
  s.wall += 7ms;
  p.add(s);
  std::chrono::nanoseconds by_cause{0};
  for (const auto w : p.totals().waits) by_cause += w;
  REQUIRE(p.totals().wait == 10ms);
  REQUIRE(by_cause == p.totals().wait);
}

TEST_CASE("failures are counted", "[profile]") {
  sy::KindProfile p;
  auto s = sample(1ms, 0ms, 0ms, 0ms);
  s.failed = true;
  p.add(s);
  p.add(sample(1ms, 0ms, 0ms, 0ms));
  REQUIRE(p.failures() == 1);
  REQUIRE(p.count() == 2);
}

TEST_CASE("a change of phase restarts the averages at once; noise does not", "[profile]") {
  sy::KindProfile p;
  for (int i = 0; i < 200; ++i) p.add(sample(50us, 0ms, 1s));
  REQUIRE(p.active_wait_share() > 0.99);
  REQUIRE_FALSE(p.unsettled());
  // Two all-CPU tasks show the change; the averages start again from the second. The first
  // already makes the profile ask for every task to be measured.
  p.add(sample(2ms, 0ms, 0ms));
  REQUIRE(p.phase_changes() == 0);
  REQUIRE(p.unsettled());
  p.add(sample(2ms, 0ms, 0ms));
  REQUIRE(p.phase_changes() == 1);
  REQUIRE(p.active_cpu_share() == Approx(1.0));
  REQUIRE(p.mean_wait() == 0ns);
  REQUIRE(p.mean_cpu() == 2ms);
  // A kind whose tasks vary around one mix does not change phase.
  sy::KindProfile q;
  for (int i = 0; i < 400; ++i) {
    q.add(i % 2 == 0 ? sample(7ms, 0ms, 3ms) : sample(4ms, 0ms, 6ms));
  }
  REQUIRE(q.phase_changes() == 0);
  REQUIRE_FALSE(q.unsettled());
  REQUIRE(q.active_cpu_share() == Approx(0.55).margin(0.05));
}

TEST_CASE("after a move nothing is known of the new executor until a task from there",
          "[profile]") {
  sy::KindProfile p;
  auto on = [](sy::Placement where, sy::TaskSample s) {
    s.placement = where;
    return s;
  };
  for (int i = 0; i < 20; ++i) p.add(on(sy::Placement::blocking, sample(1ms, 9ms, 0ms)));
  REQUIRE(p.since_restart() == 20);
  p.moved();  // to shards
  REQUIRE(p.since_restart() == 0);
  // A task that started on the blocking pool finishes after the move.
  p.add(on(sy::Placement::blocking, sample(1ms, 9ms, 0ms)), sy::Placement::shard);
  REQUIRE(p.since_restart() == 0);
  REQUIRE(p.active_blocked_share() == Approx(0.9));  // still what it did there, for the record
  p.add(on(sy::Placement::shard, sample(1ms, 0ms, 0ms)), sy::Placement::shard);
  REQUIRE(p.since_restart() == 1);
  REQUIRE(p.active_cpu_share() == Approx(1.0));
  REQUIRE(p.count() == 22);
}
