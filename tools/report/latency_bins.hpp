// Re-binning the report's wall-time histograms (12.5%-wide buckets) onto one log time axis
// shared by every kind, so their distributions line up.
#pragma once

#include <cstdint>
#include <vector>

#include <switchyard/report.hpp>

namespace switchyard::report_tool {

// LogAxis runs from 10^first_decade to 10^last_decade ns in kBinsPerDecade equal bins per
// decade (on the log scale).
struct LogAxis {
  static constexpr int kBinsPerDecade = 4;
  int first_decade = 3;
  int last_decade = 9;

  int bins() const { return (last_decade - first_decade) * kBinsPerDecade; }
  // edge() is bin i's lower bound in ns (bin i runs to edge(i + 1)).
  double edge(int i) const;
  // position() is where `ns` falls along the axis, 0..1, clamped to the axis.
  double position(double ns) const;
};

// axis_for() covers every bucket bound of every kind's histogram, at least two decades and
// from 1 ns up; 1 µs to 1 s when no kind has a bucket.
LogAxis axis_for(const std::vector<Report::KindReport>& kinds);

// rebin() counts each bucket's tasks in the bin that holds its upper bound, the value the
// report's quantiles give too: a bucket is 12.5% wide and a bin 78%, so the chart agrees with
// p50 and p99 and moves no task by more than a bucket. The result has axis.bins() entries;
// bounds beyond the axis count in its end bins.
std::vector<std::uint64_t> rebin(const std::vector<LatencyHistogram::Bucket>& buckets,
                                 const LogAxis& axis);

}  // namespace switchyard::report_tool
