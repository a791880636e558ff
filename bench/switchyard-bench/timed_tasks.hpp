// TimedTasks: a workload's tasks of one kind, each timed from its submission to its completion.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <switchyard/future.hpp>
#include <switchyard/hint.hpp>
#include <switchyard/runtime.hpp>

#include "outcome.hpp"

namespace switchyard::bench {

// Timed is what a task spawned through TimedTasks returns: the workload's value and when the
// task finished, taken inside the task so that collecting late does not count.
template <class T>
struct Timed {
  T value;
  Clock::time_point finished;
};

template <>
struct Timed<void> {
  Clock::time_point finished;
};

// TimedTasks spawns tasks returning T, remembering when each was submitted, and collects them
// into an Outcome. One thread at a time; the tasks themselves run wherever they are placed.
template <class T>
class TimedTasks {
 public:
  // reserve() makes room for `n` tasks, so that spawning does not reallocate. Never blocks.
  void reserve(std::size_t n) {
    submitted_.reserve(n);
    futures_.reserve(n);
  }

  // spawn() records the submission time and spawns fn() as a task of `kind`, placed by
  // `hint`. Never blocks.
  template <class F>
  void spawn(Runtime& runtime, std::string_view kind, Hint hint, F&& fn) {
    submitted_.push_back(Clock::now());
    futures_.push_back(runtime.spawn(
        kind,
        [fn = std::forward<F>(fn)]() mutable {
          if constexpr (std::is_void_v<T>) {
            fn();
            return Timed<void>{Clock::now()};
          } else {
            return Timed<T>{fn(), Clock::now()};
          }
        },
        hint));
  }

  // all_ready() says whether every task spawned so far has finished. Never blocks.
  bool all_ready() noexcept {
    ready_ = std::max(ready_, collected_);  // a collected future is spent, and was ready
    while (ready_ < futures_.size() && futures_[ready_].ready()) ++ready_;
    return ready_ == futures_.size();
  }

  // uncollected() is how many tasks spawned so far are not yet collected: a bound on those
  // still running. Never blocks.
  std::size_t uncollected() const noexcept { return futures_.size() - collected_; }

  // collect_next() waits for the oldest task not yet collected and counts it in `out`: one
  // that returned through out.task_done() and then on_value(index, value) (on_value(index) for
  // void), one that threw in out.errors. Requires uncollected() > 0. Blocks the calling thread.
  template <class F>
  void collect_next(Outcome& out, F&& on_value) {
    const std::size_t i = collected_++;
    ++out.tasks;
    try {
      Timed<T> r = futures_[i].get();
      out.task_done(submitted_[i], r.finished);
      if constexpr (std::is_void_v<T>) {
        on_value(i);
      } else {
        on_value(i, std::move(r.value));
      }
    } catch (const std::exception& e) {
      out.errors.record(e.what());
    } catch (...) {
      out.errors.record("a task threw something that is not a std::exception");
    }
  }

  // collect() is collect_next() for every task not yet collected, in spawn order, once all
  // of them finished: like the peers' group waits (task_group::wait, sync.WaitGroup), it
  // sleeps about once, not once per task.
  template <class F>
  void collect(Outcome& out, F&& on_value) {
    wait_all(futures_.begin() + static_cast<std::ptrdiff_t>(collected_), futures_.end());
    while (uncollected() > 0) collect_next(out, on_value);
  }

  // collect(out) is collect() for tasks whose values the workload does not need.
  void collect(Outcome& out) {
    collect(out, [](std::size_t, auto&&...) {});
  }

 private:
  std::vector<Clock::time_point> submitted_;
  std::vector<Future<Timed<T>>> futures_;
  std::size_t ready_ = 0;      // futures_[0, ready_) are known to be ready
  std::size_t collected_ = 0;  // futures_[0, collected_) have been collected
};

}  // namespace switchyard::bench
