// MoveCounter: every placement change of every kind during a run, counted as it happens.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include <switchyard/runtime.hpp>

namespace switchyard::bench {

// MoveCounter reads the runtime's report every `period` and counts each kind's placement
// changes. The report keeps only a kind's last kReportHistory changes (docs/report.md), so a
// run whose kinds move more often needs counting as it goes; a poll that finds all the kept
// changes newer than the last one it saw may have missed some, and the count is then a lower
// bound. Its thread takes each kind's lock briefly on every poll, which costs the run a
// little: switchyard-bench counts only when --count-moves asks.
class MoveCounter {
 public:
  static constexpr std::size_t kReportHistory = 64;

  MoveCounter(const Runtime& runtime, std::chrono::microseconds period);
  ~MoveCounter();
  MoveCounter(const MoveCounter&) = delete;
  MoveCounter& operator=(const MoveCounter&) = delete;

  // finish() stops polling, polls once more and returns, per kind that moved, `moves` and
  // `exact` (false when the count is a lower bound). Blocks until the thread has stopped; call
  // once, from the thread that made the counter.
  nlohmann::ordered_json finish();

 private:
  struct Count {
    std::uint64_t moves = 0;
    bool exact = true;
    std::chrono::nanoseconds last{-1};  // the newest change counted
  };

  void main(std::chrono::microseconds period);
  void poll();

  const Runtime& runtime_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<std::string, Count> counts_;  // only the thread touches it until finish() joins
  std::thread thread_;
};

}  // namespace switchyard::bench
