// CallTime: a moving average of how long shards take per call.
#pragma once

#include <chrono>
#include <cstdint>

namespace switchyard::detail {

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
