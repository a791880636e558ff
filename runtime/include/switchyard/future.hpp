// Future: the result of a spawned task.
#pragma once

#include <chrono>
#include <iterator>
#include <stdexcept>
#include <utility>

#include <switchyard/detail/shared_state.hpp>
#include <switchyard/detail/timeout.hpp>

namespace switchyard {

namespace detail {
struct FutureAccess;
}

// Future<T> receives the value a task returned, or the exception it threw. Move-only; get()
// may be called once. Every wait suspends the calling fiber when called from a task, and
// blocks the calling thread otherwise; it may be called from any thread. Every future a
// Runtime hands out resolves: with the task's value, its exception, or TaskCancelled /
// RuntimeStopped when the runtime shuts down.
template <class T>
class Future {
 public:
  Future() = default;
  explicit Future(detail::SharedState<T>* state) noexcept : state_(state) {}
  Future(Future&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  Future& operator=(Future&& other) noexcept {
    if (this != &other) {
      reset();
      state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
  }
  Future(const Future&) = delete;
  Future& operator=(const Future&) = delete;
  ~Future() { reset(); }

  // valid() is false for a default-constructed or moved-from future, and after get().
  bool valid() const noexcept { return state_ != nullptr; }

  // ready() says whether get() would return without waiting. Never blocks.
  bool ready() const noexcept { return state_ && state_->ready(); }

  // wait() waits until the task has finished. Waits of a cancelled task throw TaskCancelled.
  void wait() const { checked().wait(); }

  // wait_for() waits at most `timeout`; returns ready(). A timeout too long for the steady
  // clock (hours::max()) waits as wait() does; a negative one does not wait.
  template <class Rep, class Period>
  bool wait_for(const std::chrono::duration<Rep, Period>& timeout) const {
    return checked().wait_until(detail::deadline_after(timeout));
  }

  // cancel() cancels the task: one not started yet never starts, and the future resolves with
  // TaskCancelled at once; a running one gets TaskCancelled from its next Switchyard wait (or
  // this_task::throw_if_cancelled()), and the future resolves when it ends, with whatever it
  // ended with. A registered task sent to a shard keeps running there, but the future
  // resolves with TaskCancelled at once and its late result is dropped. Never blocks; any
  // thread; idempotent; nothing for an invalid future.
  void cancel() noexcept {
    if (state_) state_->request_cancel();
  }

  // get() waits, then returns the task's value or rethrows its exception. The future is
  // invalid afterwards.
  T get() {
    detail::SharedState<T>& s = checked();
    struct Release {
      Future* f;
      ~Release() { f->reset(); }
    } release{this};
    return s.take();
  }

 private:
  friend struct detail::FutureAccess;

  detail::SharedState<T>& checked() const {
    if (!state_)
      throw std::logic_error("switchyard::Future: no state (moved from, or get() called)");
    return *state_;
  }
  void reset() noexcept {
    if (state_) std::exchange(state_, nullptr)->release();
  }

  detail::SharedState<T>* state_ = nullptr;
};

// wait_all() waits until every future in [first, last) is ready (each must be valid). It
// waits for the newest one not yet ready, then looks again: a batch of tasks mostly finishes
// in the order it was spawned, so the caller sleeps about once for the batch instead of once
// per task (each wake-up costs a system call, and on a busy machine takes a core from a
// worker). Suspends a task; blocks a thread.
template <class BidirectionalIt>
void wait_all(BidirectionalIt first, BidirectionalIt last) {
  while (first != last) {
    const BidirectionalIt newest = std::prev(last);
    if (newest->ready()) {
      last = newest;
    } else {
      newest->wait();
    }
  }
}

// wait_all(futures) is wait_all() over a container of futures.
template <class Futures>
void wait_all(const Futures& futures) {
  wait_all(std::begin(futures), std::end(futures));
}

namespace detail {

// FutureAccess lets the runtime's helpers (when_any, with_timeout) reach a future's state.
struct FutureAccess {
  template <class T>
  static SharedState<T>& state(const Future<T>& f) {
    return f.checked();
  }
};

}  // namespace detail

}  // namespace switchyard
