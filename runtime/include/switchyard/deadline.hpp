// Deadline: how long a wait may last.
#pragma once

#include <chrono>

#include <switchyard/detail/timeout.hpp>

namespace switchyard {

// Deadline is a point on the steady clock after which a wait gives up, or none (wait as long as
// it takes). It converts implicitly from a time_point (that instant) and from a duration (that
// long from now), so a call reads `sock.read_line(2s)` or `sock.read_line(start + 2s)`. A
// duration too long for the clock (hours::max()) is none; a negative one has passed.
class Deadline {
 public:
  using clock = std::chrono::steady_clock;

  constexpr Deadline() noexcept = default;
  constexpr Deadline(clock::time_point at) noexcept : at_(at) {}  // NOLINT: implicit on purpose
  template <class Rep, class Period>
  Deadline(const std::chrono::duration<Rep, Period>& from_now)  // NOLINT: implicit on purpose
      : at_(detail::deadline_after(from_now)) {}

  static constexpr Deadline none() noexcept { return {}; }

  bool is_none() const noexcept { return at_ == clock::time_point::max(); }
  clock::time_point at() const noexcept { return at_; }
  bool passed() const noexcept { return !is_none() && clock::now() >= at_; }

 private:
  clock::time_point at_ = clock::time_point::max();
};

}  // namespace switchyard
