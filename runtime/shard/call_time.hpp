// CallTime: a moving average of how long shards take per call.
#pragma once

#include <chrono>
#include <cstdint>

namespace switchyard::detail {

// kPollWindow: a call answered sooner than this comes back faster than a sleep and a wake-up
// cost (about 10-20 us each on a 2-core VM), so both ends of a link poll this long before
// they sleep: a shard after it answers, the transport while such calls are on the wire.
inline constexpr std::chrono::microseconds kPollWindow{50};

// CallTime follows the shards' own time per call (the run_ns of their answers) with an
// exponential moving average, weight 1/4 for the newest, so that it tracks a change of
// workload within a few calls; the first answer sets it. Zero until then. Not thread-safe.
class CallTime {
 public:
  void add(std::uint64_t run_ns) noexcept {
    const auto sample = static_cast<std::int64_t>(run_ns);
    average_ = average_ == 0 ? sample : average_ + (sample - average_) / 4;
  }
  std::chrono::nanoseconds average() const noexcept { return std::chrono::nanoseconds{average_}; }

 private:
  std::int64_t average_ = 0;
};

}  // namespace switchyard::detail
