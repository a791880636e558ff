#include "progress.hpp"

#include <cstdint>
#include <iostream>

#include <fmt/format.h>

namespace switchyard::bench {

Progress::Progress(std::string_view workload, const Runtime& runtime)
    : thread_([this, name = std::string(workload), &runtime] { main(name, runtime); }) {}

Progress::~Progress() {
  {
    std::lock_guard lk(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Progress::main(std::string workload, const Runtime& runtime) {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock lk(mutex_);
  while (!cv_.wait_for(lk, kEvery, [this] { return stop_; })) {
    std::uint64_t finished = 0;
    for (const Report::KindReport& k : runtime.report().kinds) finished += k.finished;
    const std::chrono::duration<double> ran = std::chrono::steady_clock::now() - start;
    std::cerr << fmt::format("switchyard-bench {}: {:.0f} s, {} tasks finished\n", workload,
                             ran.count(), finished);
  }
}

}  // namespace switchyard::bench
