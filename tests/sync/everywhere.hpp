// Helpers shared by the synchronization tests: contenders on every executor and plain threads.
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "../runtime/support.hpp"

namespace switchyard::test {

// kPlacements are the executors a task can wait on.
inline constexpr Placement kPlacements[] = {Placement::fiber, Placement::cpu, Placement::blocking};

// sync_config() is small_config() with the watchdog off: a test that holds a worker on purpose
// must not see its kind moved to the blocking pool.
inline Config sync_config() {
  Config c = small_config();
  c.executors.watchdog = false;
  return c;
}

// Failures collects what contenders found wrong: Catch's assertions are not thread-safe.
class Failures {
 public:
  void add(std::string what) {
    std::lock_guard lk(mutex_);
    if (list_.size() < 10) list_.push_back(std::move(what));
  }
  std::vector<std::string> list() {
    std::lock_guard lk(mutex_);
    return list_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> list_;
};

// everywhere() runs body(i) at once in `per_executor` tasks on each executor and in `threads`
// plain threads, numbered 0.. in that order, and waits for them all, for at most a minute
// (a lost wake-up shows as std::runtime_error, not as a hung test). Rethrows the first error
// a task or thread threw.
inline void everywhere(Runtime& rt, int per_executor, int threads,
                       const std::function<void(int)>& body) {
  std::vector<Future<void>> tasks;
  int n = 0;
  for (Placement p : kPlacements) {
    for (int i = 0; i < per_executor; ++i, ++n) {
      tasks.push_back(rt.spawn(
          "contender", [&body, n] { body(n); }, on(p)));
    }
  }
  std::vector<std::exception_ptr> thread_errors(static_cast<std::size_t>(threads));
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i, ++n) {
    pool.emplace_back([&body, &thread_errors, i, n] {
      try {
        body(n);
      } catch (...) {
        thread_errors[static_cast<std::size_t>(i)] = std::current_exception();
      }
    });
  }
  for (auto& t : pool) t.join();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  for (auto& f : tasks) {
    if (!f.wait_for(give_up - std::chrono::steady_clock::now())) {
      throw std::runtime_error("a contender task did not finish within a minute");
    }
  }
  for (auto& f : tasks) f.get();
  for (auto& e : thread_errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace switchyard::test
