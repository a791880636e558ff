// Progress: a line on standard error now and then while a workload runs long.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include <switchyard/runtime.hpp>

namespace switchyard::bench {

// Progress prints, every kEvery while it lives, how long the workload has run and how many
// of its tasks have finished, so that a long run (a placement forced where it does not
// belong can take minutes) shows it is alive. Nothing for a run shorter than kEvery, so the
// JSON on standard output is all a short run prints. Its thread only reads the runtime's
// report.
class Progress {
 public:
  static constexpr std::chrono::seconds kEvery{5};

  Progress(std::string_view workload, const Runtime& runtime);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

 private:
  void main(std::string workload, const Runtime& runtime);

  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace switchyard::bench
