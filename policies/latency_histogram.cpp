#include <switchyard/latency_histogram.hpp>

#include <bit>
#include <cmath>

namespace switchyard {

// Values below 2^kSubBits get a bucket each; above, bucket = (exponent, top kSubBits bits
// below the leading one).
int LatencyHistogram::bucket_of(std::uint64_t ns) noexcept {
  if (ns < (1u << kSubBits)) return static_cast<int>(ns);
  const int msb = 63 - std::countl_zero(ns);
  const int shift = msb - kSubBits;
  const auto sub = static_cast<int>((ns >> shift) & ((1u << kSubBits) - 1));
  return ((shift + 1) << kSubBits) + sub;
}

std::uint64_t LatencyHistogram::upper_bound_of(int bucket) noexcept {
  if (bucket < (1 << kSubBits)) return static_cast<std::uint64_t>(bucket);
  const int shift = (bucket >> kSubBits) - 1;
  const auto sub = static_cast<std::uint64_t>(bucket & ((1 << kSubBits) - 1));
  const std::uint64_t base = ((std::uint64_t{1} << kSubBits) | sub) << shift;
  return base + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::add(std::chrono::nanoseconds d) noexcept {
  const auto ns = d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0;
  ++buckets_[static_cast<std::size_t>(bucket_of(ns))];
  ++count_;
}

std::chrono::nanoseconds LatencyHistogram::quantile(double q) const noexcept {
  if (count_ == 0) return std::chrono::nanoseconds{0};
  q = std::fmin(1.0, std::fmax(0.0, q));
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  if (rank == 0) rank = 1;
  std::uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets_[static_cast<std::size_t>(b)];
    if (seen >= rank) {
      return std::chrono::nanoseconds{static_cast<std::int64_t>(upper_bound_of(b))};
    }
  }
  return std::chrono::nanoseconds{static_cast<std::int64_t>(upper_bound_of(kBuckets - 1))};
}

void LatencyHistogram::merge(const LatencyHistogram& other) noexcept {
  for (std::size_t b = 0; b < buckets_.size(); ++b) buckets_[b] += other.buckets_[b];
  count_ += other.count_;
}

std::vector<LatencyHistogram::Bucket> LatencyHistogram::buckets() const {
  std::vector<Bucket> out;
  for (int b = 0; b < kBuckets; ++b) {
    const std::uint64_t n = buckets_[static_cast<std::size_t>(b)];
    if (n != 0) {
      out.push_back({std::chrono::nanoseconds{static_cast<std::int64_t>(upper_bound_of(b))}, n});
    }
  }
  return out;
}

}  // namespace switchyard
