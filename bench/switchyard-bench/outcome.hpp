// Outcome: what one workload run leaves behind for its JSON result.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace switchyard::bench {

using Clock = std::chrono::steady_clock;

// ErrorTally counts failures and keeps the first one's message. One thread at a time.
class ErrorTally {
 public:
  void record(std::string_view what) {
    if (count_++ == 0) first_ = what;
  }
  // add() counts `other`'s failures too; the first message stays this tally's, if it has one.
  void add(const ErrorTally& other) {
    if (count_ == 0) first_ = other.first_;
    count_ += other.count_;
  }
  std::uint64_t count() const noexcept { return count_; }
  const std::string& first() const noexcept { return first_; }

 private:
  std::uint64_t count_ = 0;
  std::string first_;
};

// Outcome is a run's figures, as the peers define them (bench/peers/README.md).
struct Outcome {
  std::size_t tasks = 0;
  // start is the first submission, end the last completion of a task that succeeded.
  Clock::time_point start;
  Clock::time_point end;
  // latencies: per task that succeeded, from its submission to its completion.
  std::vector<std::chrono::nanoseconds> latencies;
  // checksum: bytes received for I/O; each workload says what it sums.
  std::uint64_t checksum = 0;
  ErrorTally errors;
  // extra: the workload's own fields, appended to the common ones.
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();

  // task_done() adds a task that succeeded, submitted and finished at the times given.
  void task_done(Clock::time_point submitted, Clock::time_point finished) {
    latencies.push_back(finished - submitted);
    end = std::max(end, finished);
  }
  // add() folds `part`, run beside this outcome from the same start, into it: its tasks,
  // latencies and errors, its last completion and its checksum (wrapping). Its extra fields
  // are the part's own and stay out.
  void add(const Outcome& part) {
    tasks += part.tasks;
    end = std::max(end, part.end);
    latencies.insert(latencies.end(), part.latencies.begin(), part.latencies.end());
    checksum += part.checksum;
    errors.add(part.errors);
  }
  // makespan() is from the first submission to the last completion.
  std::chrono::nanoseconds makespan() const { return std::max(end - start, Clock::duration{0}); }
};

}  // namespace switchyard::bench
