#include "report/latency_bins.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "report/text.hpp"

namespace switchyard::report_tool {

namespace {

// log_bound() is a bucket's upper bound in log10 ns; a bound of 0 (tasks that took no
// measurable time) counts as 1 ns, the axis's floor.
double log_bound(const LatencyHistogram::Bucket& bucket) {
  return std::log10(std::max(nanoseconds_of(bucket.upper), 1.0));
}

}  // namespace

double LogAxis::edge(int i) const {
  return std::pow(10.0, first_decade + static_cast<double>(i) / kBinsPerDecade);
}

double LogAxis::position(double ns) const {
  if (!(ns > 0)) return 0;
  const double along = (std::log10(ns) - first_decade) / (last_decade - first_decade);
  return std::clamp(along, 0.0, 1.0);
}

LogAxis axis_for(const std::vector<Report::KindReport>& kinds) {
  double lowest = std::numeric_limits<double>::infinity();
  double highest = -1;
  for (const Report::KindReport& kind : kinds) {
    for (const LatencyHistogram::Bucket& bucket : kind.wall_histogram) {
      lowest = std::min(lowest, log_bound(bucket));
      highest = std::max(highest, log_bound(bucket));
    }
  }
  LogAxis axis;
  if (highest < 0) return axis;
  // Bins hold (lower edge, upper edge]: a bound of exactly 10^k ends the decade below it.
  axis.first_decade = std::max(0, static_cast<int>(std::ceil(lowest)) - 1);
  axis.last_decade = std::max(static_cast<int>(std::ceil(highest)), axis.first_decade + 2);
  return axis;
}

std::vector<std::uint64_t> rebin(const std::vector<LatencyHistogram::Bucket>& buckets,
                                 const LogAxis& axis) {
  std::vector<std::uint64_t> bins(static_cast<std::size_t>(axis.bins()), 0);
  for (const LatencyHistogram::Bucket& bucket : buckets) {
    const double along = (log_bound(bucket) - axis.first_decade) * LogAxis::kBinsPerDecade;
    const int bin = static_cast<int>(std::ceil(along)) - 1;
    bins[static_cast<std::size_t>(std::clamp(bin, 0, axis.bins() - 1))] += bucket.count;
  }
  return bins;
}

}  // namespace switchyard::report_tool
