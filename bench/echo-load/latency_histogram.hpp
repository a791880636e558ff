// LatencyHistogram: round-trip times in log-linear buckets, so that a run of any length keeps a
// fixed amount of memory and still gives quantiles within 1.6%.
#pragma once

#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace echo_load {

// LatencyHistogram counts durations in nanoseconds: exactly below 128 ns, then 64 buckets per
// power of two. One thread at a time; merge() adds another thread's.
class LatencyHistogram {
 public:
  void add(std::chrono::nanoseconds d) noexcept {
    ++buckets_[index(static_cast<std::uint64_t>(d.count() < 0 ? 0 : d.count()))];
    ++count_;
  }

  void merge(const LatencyHistogram& other) noexcept {
    for (std::size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
  }

  std::uint64_t count() const noexcept { return count_; }

  // quantile() is the q-quantile by the nearest-rank rule every peer uses, as the middle of its
  // bucket; zero when empty.
  std::chrono::nanoseconds quantile(double q) const noexcept {
    if (count_ == 0) return std::chrono::nanoseconds{0};
    const double rank = std::ceil(q * static_cast<double>(count_));
    const auto wanted = static_cast<std::uint64_t>(rank < 1 ? 1 : rank);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += buckets_[i];
      if (seen >= wanted) return std::chrono::nanoseconds(static_cast<std::int64_t>(middle(i)));
    }
    return std::chrono::nanoseconds(static_cast<std::int64_t>(middle(kBuckets - 1)));
  }

 private:
  static constexpr int kSubBits = 6;  // 64 buckets per power of two
  static constexpr std::uint64_t kExact = std::uint64_t{2} << kSubBits;
  static constexpr std::size_t kBuckets = kExact + (64 - kSubBits - 1) * (1 << kSubBits);

  static std::size_t index(std::uint64_t ns) noexcept {
    if (ns < kExact) return static_cast<std::size_t>(ns);
    const int exponent = 63 - std::countl_zero(ns);  // >= kSubBits + 1
    const std::uint64_t sub = (ns >> (exponent - kSubBits)) & ((1 << kSubBits) - 1);
    return static_cast<std::size_t>(
        kExact + static_cast<std::uint64_t>(exponent - kSubBits - 1) * (1 << kSubBits) + sub);
  }

  static double middle(std::size_t i) noexcept {
    if (i < kExact) return static_cast<double>(i);
    const std::size_t above = i - kExact;
    const int exponent = static_cast<int>(above >> kSubBits) + kSubBits + 1;
    const double width = std::ldexp(1.0, exponent - kSubBits);
    const double low =
        std::ldexp(1.0, exponent) + static_cast<double>(above & ((1 << kSubBits) - 1)) * width;
    return low + width / 2;
  }

  std::array<std::uint64_t, kBuckets> buckets_{};
  std::uint64_t count_ = 0;
};

}  // namespace echo_load
