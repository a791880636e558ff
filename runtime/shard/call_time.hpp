// CallTime: a moving average of how long shards take per call.
#pragma once

#include <chrono>
#include <cstdint>

namespace switchyard::detail {

// CallTime follows the shards' own time per call (the run_ns of their answers) with an
// exponential moving average, weight 1/4 for the newest, so that it tracks a change of
// workload within a few calls. Zero until the first answer. Not thread-safe.
class CallTime {
 public:
  void add(std::uint64_t run_ns) noexcept {
    average_ += (static_cast<std::int64_t>(run_ns) - average_) / 4;
  }
  std::chrono::nanoseconds average() const noexcept { return std::chrono::nanoseconds{average_}; }

 private:
  std::int64_t average_ = 0;
};

}  // namespace switchyard::detail
