// LatencyHistogram: constant-size log-linear histogram of durations, for quantiles.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

namespace switchyard {

// LatencyHistogram buckets durations from 1 ns to ~584 years with 8 sub-buckets per power
// of two, so a quantile is within 12.5% of the true value, in a fixed 4 KiB. Not
// thread-safe: the owner serializes access.
class LatencyHistogram {
 public:
  // add() records one duration; negative durations count as zero. Never blocks.
  void add(std::chrono::nanoseconds d) noexcept;
  // quantile() returns the upper bound of the bucket holding quantile q (0..1); zero when
  // empty.
  std::chrono::nanoseconds quantile(double q) const noexcept;
  // count() is the number of durations recorded.
  std::uint64_t count() const noexcept { return count_; }
  // merge() adds another histogram's counts into this one.
  void merge(const LatencyHistogram& other) noexcept;

  // Bucket is one non-empty bucket: the durations above the previous bucket's bound, up to
  // `upper` inclusive.
  struct Bucket {
    std::chrono::nanoseconds upper{0};
    std::uint64_t count = 0;
    bool operator==(const Bucket&) const = default;
  };
  // buckets() lists the non-empty buckets in increasing order, for charts. Throws
  // std::bad_alloc.
  std::vector<Bucket> buckets() const;

 private:
  static constexpr int kSubBits = 3;
  static constexpr int kBuckets = (64 - kSubBits + 1) << kSubBits;
  static int bucket_of(std::uint64_t ns) noexcept;
  static std::uint64_t upper_bound_of(int bucket) noexcept;

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
};

}  // namespace switchyard
