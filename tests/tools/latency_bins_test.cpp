#include "report/latency_bins.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <numeric>

#include <switchyard/report.hpp>

#include "fixture.hpp"

namespace rt = switchyard::report_tool;
namespace sy = switchyard;
namespace test = switchyard::test;
using namespace std::chrono_literals;

namespace {

std::uint64_t total(const std::vector<std::uint64_t>& counts) {
  return std::accumulate(counts.begin(), counts.end(), std::uint64_t{0});
}

sy::Report::KindReport kind_with(std::vector<sy::LatencyHistogram::Bucket> buckets) {
  sy::Report::KindReport kind;
  kind.wall_histogram = std::move(buckets);
  return kind;
}

}  // namespace

TEST_CASE("the axis covers every kind's histogram in whole decades", "[bins]") {
  const sy::Report report = sy::Report::from_json(test::fixture_text());
  const rt::LogAxis axis = rt::axis_for(report.kinds);
  // The fixture's bounds run from 90111 ns (read_file) to 46137343 ns.
  CHECK(axis.first_decade == 4);
  CHECK(axis.last_decade == 8);
  CHECK(axis.bins() == 16);
  CHECK(axis.edge(0) == Approx(1e4));
  CHECK(axis.edge(4) == Approx(1e5));
  CHECK(axis.position(1e6) == Approx(0.5));
  CHECK(axis.position(1) == 0);
  CHECK(axis.position(1e12) == 1);
}

TEST_CASE("re-binning keeps every task, in the bin of its bucket's bound", "[bins]") {
  const sy::Report report = sy::Report::from_json(test::fixture_text());
  const rt::LogAxis axis = rt::axis_for(report.kinds);
  for (const sy::Report::KindReport& kind : report.kinds) {
    INFO(kind.name);
    CHECK(total(rt::rebin(kind.wall_histogram, axis)) == kind.measured);
  }
  // poll_timer's two buckets, up to 10.49 ms and 11.53 ms, both fall in (10 ms, 17.8 ms].
  const std::vector<std::uint64_t> bins = rt::rebin(report.kinds[1].wall_histogram, axis);
  CHECK(bins[12] == 1300);
}

TEST_CASE("a bound on a bin's edge ends that bin", "[bins]") {
  const rt::LogAxis axis{3, 6};
  const std::vector<std::uint64_t> bins = rt::rebin({{1000ns, 1}, {1001ns, 2}, {1ms, 4}}, axis);
  CHECK(bins[0] == 3);  // 1000 is below the axis: its first bin
  CHECK(bins[1] == 0);
  CHECK(bins[11] == 4);
}

TEST_CASE("empty and zero histograms still give an axis", "[bins]") {
  CHECK(rt::axis_for({}).first_decade == 3);
  CHECK(rt::axis_for({}).last_decade == 9);
  CHECK(rt::axis_for({kind_with({})}).bins() == 24);
  // Tasks that took 0 ns count at 1 ns, the axis's floor.
  const rt::LogAxis axis = rt::axis_for({kind_with({{0ns, 5}, {7ns, 1}})});
  CHECK(axis.first_decade == 0);
  CHECK(axis.last_decade == 2);
  const std::vector<std::uint64_t> bins = rt::rebin({{0ns, 5}, {7ns, 1}}, axis);
  CHECK(bins[0] == 5);
  CHECK(bins[3] == 1);
  CHECK(total(bins) == 6);
}
