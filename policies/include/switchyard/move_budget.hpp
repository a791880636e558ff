// MoveBudget: how often a kind may change executors.
#pragma once

#include <chrono>

namespace switchyard {

// MoveBudget is a token bucket of moves: it holds kBurst at most, starts full, and gains one
// every kRefill. A kind that truly changes behaviour finds a move in it at once; a kind whose
// measurements swing back and forth (parents and leaves of one tree finishing in bursts, a
// share hovering on a threshold) spends it in kBurst moves and then moves at most once per
// kRefill, however fast its decisions swing. Times are the caller's clock, monotonic; a
// time earlier than the last one seen counts as that one. Not thread-safe.
class MoveBudget {
 public:
  static constexpr int kBurst = 3;
  static constexpr std::chrono::nanoseconds kRefill = std::chrono::milliseconds(500);

  // available() says whether a move may be spent at `now`.
  bool available(std::chrono::nanoseconds now) const noexcept { return tokens(now) >= 1.0; }
  // spend() takes one move at `now`, if there is one; says whether there was.
  bool spend(std::chrono::nanoseconds now) noexcept;

 private:
  double tokens(std::chrono::nanoseconds now) const noexcept;

  double tokens_ = kBurst;  // as of last_
  std::chrono::nanoseconds last_{0};
};

}  // namespace switchyard
