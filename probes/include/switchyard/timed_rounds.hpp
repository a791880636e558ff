// Timed rounds: how every calibration figure is summarised, so that figures measured in
// probes/ and by the runtime are comparable.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

namespace switchyard {

// kTimedRounds is how many rounds a figure's median is taken over, after one warm-up round.
inline constexpr int kTimedRounds = 5;

// median_ns_per_op() runs body(ops) once to warm up, then kTimedRounds times, and gives the
// median round's nanoseconds per operation; nullopt as soon as body returns false (it could
// not run). Blocks for as long as the rounds take; any thread.
template <class Body>
std::optional<double> median_ns_per_op(long ops, Body body) {
  using Clock = std::chrono::steady_clock;
  if (!body(ops)) return std::nullopt;
  std::vector<double> per_op;
  for (int round = 0; round < kTimedRounds; ++round) {
    const auto start = Clock::now();
    if (!body(ops)) return std::nullopt;
    const std::chrono::duration<double, std::nano> elapsed = Clock::now() - start;
    per_op.push_back(elapsed.count() / static_cast<double>(ops));
  }
  std::nth_element(per_op.begin(), per_op.begin() + kTimedRounds / 2, per_op.end());
  return per_op[kTimedRounds / 2];
}

}  // namespace switchyard
