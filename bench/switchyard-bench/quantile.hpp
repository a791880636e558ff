// Latency quantiles as every peer computes them.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <span>

namespace switchyard::bench {

// nearest_rank() is the q-quantile of `sorted` by the nearest-rank rule the peers use
// (element ceil(q * n) - 1); zero when there are no samples.
inline std::chrono::nanoseconds nearest_rank(std::span<const std::chrono::nanoseconds> sorted,
                                             double q) {
  if (sorted.empty()) return std::chrono::nanoseconds{0};
  const double rank = std::ceil(q * static_cast<double>(sorted.size()));
  const auto i = static_cast<std::size_t>(std::max(rank, 1.0)) - 1;
  return sorted[std::min(i, sorted.size() - 1)];
}

// to_ms() and to_s() are a duration in fractional milliseconds and seconds, as the JSON
// results give them.
inline double to_ms(std::chrono::nanoseconds d) {
  return std::chrono::duration<double, std::milli>(d).count();
}
inline double to_s(std::chrono::nanoseconds d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace switchyard::bench
