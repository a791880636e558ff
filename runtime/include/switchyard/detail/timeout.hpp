// Timeouts: durations from a caller or a config turned into steady-clock deadlines and other
// units without overflow, so hours::max() waits forever and a negative duration not at all.
#pragma once

#include <chrono>
#include <cmath>
#include <ratio>
#include <type_traits>
#include <utility>

namespace switchyard::detail {

// timeout_cast() converts a timeout to the duration type To, rounding up so that a wait never
// ends early. A negative timeout (and a NaN) becomes zero, and one longer than To can hold
// becomes To::max(), where plain chrono arithmetic would overflow. Never blocks.
template <class To, class Rep, class Period>
To timeout_cast(const std::chrono::duration<Rep, Period>& d) noexcept {
  using ToRep = typename To::rep;
  using Ratio = std::ratio_divide<Period, typename To::period>;
  if constexpr (!std::chrono::treat_as_floating_point_v<Rep> && Ratio::den == 1) {
    // The standard units, hours down to nanoseconds: whole To ticks per tick of d.
    if (std::cmp_less_equal(d.count(), 0)) return To::zero();
    constexpr auto most = std::chrono::duration_values<ToRep>::max() / Ratio::num;
    if (std::cmp_greater(d.count(), most)) return To::max();
    return To(static_cast<ToRep>(d.count()) * static_cast<ToRep>(Ratio::num));
  } else {
    // Finer units, odd ratios and floating point: through long double, whose 64-bit mantissa
    // holds every count of To that can matter for a wait.
    const long double ticks = static_cast<long double>(d.count()) * Ratio::num / Ratio::den;
    if (!(ticks > 0)) return To::zero();
    const auto most = static_cast<long double>(std::chrono::duration_values<ToRep>::max());
    if (!(ticks < most)) return To::max();
    return To(static_cast<ToRep>(std::ceil(ticks)));
  }
}

// deadline_after() is `now + d` on the steady clock: `now` for a negative d, and
// time_point::max() (no deadline) for a d that reaches it. Never blocks.
template <class Rep, class Period>
std::chrono::steady_clock::time_point deadline_after(
    std::chrono::steady_clock::time_point now,
    const std::chrono::duration<Rep, Period>& d) noexcept {
  using Clock = std::chrono::steady_clock;
  const auto step = timeout_cast<Clock::duration>(d);
  // max() - now overflows only for a `now` before the clock's epoch, where now + step cannot.
  if (now.time_since_epoch() >= Clock::duration::zero() && step >= Clock::time_point::max() - now) {
    return Clock::time_point::max();
  }
  return now + step;
}

// deadline_after(d) is deadline_after(steady_clock::now(), d).
template <class Rep, class Period>
std::chrono::steady_clock::time_point deadline_after(
    const std::chrono::duration<Rep, Period>& d) noexcept {
  return deadline_after(std::chrono::steady_clock::now(), d);
}

// time_left() is how long from `now`, read from the steady clock, until `deadline`: zero once
// it has passed, also for time_point::min(), where `deadline - now` would overflow. Never
// blocks.
inline std::chrono::steady_clock::duration time_left(
    std::chrono::steady_clock::time_point deadline,
    std::chrono::steady_clock::time_point now) noexcept {
  // The steady clock never reads before its epoch, so a later deadline is less than max() on.
  return deadline <= now ? std::chrono::steady_clock::duration::zero() : deadline - now;
}

}  // namespace switchyard::detail
