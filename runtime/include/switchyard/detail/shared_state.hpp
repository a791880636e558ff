// detail::SharedState: the rendezvous between a task and its Future.
#pragma once

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/fiber/condition_variable.hpp>

namespace switchyard::detail {

// StateBase holds the part of a future's state that does not depend on the value type. It is
// reference-counted: the Future holds one reference and the task another. Waiting uses a
// Boost.Fiber condition variable, which suspends a fiber and blocks a plain thread. Its lock
// is a plain std::mutex: it guards a few instructions and is never held across a
// suspension (the condition variable releases it once the waiter is queued), so a fiber
// mutex's own wait queue would only add cost.
class StateBase {
 public:
  StateBase() = default;
  StateBase(const StateBase&) = delete;
  StateBase& operator=(const StateBase&) = delete;
  virtual ~StateBase() = default;

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // ready() says whether a value or an error has been published. Never blocks.
  bool ready() const noexcept { return ready_.load(std::memory_order_acquire); }

  // wait() blocks (a plain thread) or suspends (a fiber) until ready.
  void wait() {
    if (ready()) return;
    std::unique_lock lk(mutex_);
    cv_.wait(lk, [this] { return ready(); });
  }

  // wait_until() is wait() with a deadline; returns ready().
  template <class Clock, class Duration>
  bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    if (ready()) return true;
    std::unique_lock lk(mutex_);
    return cv_.wait_until(lk, deadline, [this] { return ready(); });
  }

  // fail() publishes an error; later publications are ignored.
  void fail(std::exception_ptr error) noexcept {
    std::unique_lock lk(mutex_);
    if (ready()) return;
    error_ = std::move(error);
    publish(lk);
  }

 protected:
  // publish() marks the state ready and wakes every waiter. Caller holds the lock.
  void publish(std::unique_lock<std::mutex>& lk) noexcept {
    ready_.store(true, std::memory_order_release);
    lk.unlock();
    cv_.notify_all();
  }
  void rethrow_if_failed() const {
    if (error_) std::rethrow_exception(error_);
  }

  std::mutex mutex_;

 private:
  boost::fibers::condition_variable_any cv_;
  std::atomic<bool> ready_{false};
  std::atomic<int> refs_{1};
  std::exception_ptr error_;
};

// SharedState<T> adds the value.
template <class T>
class SharedState : public StateBase {
 public:
  // succeed() publishes the value; ignored if already ready.
  template <class U>
  void succeed(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    std::unique_lock lk(mutex_);
    if (ready()) return;
    value_.emplace(std::forward<U>(value));
    publish(lk);
  }
  // take() waits, then moves the value out or rethrows the error.
  T take() {
    wait();
    rethrow_if_failed();
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <>
class SharedState<void> : public StateBase {
 public:
  void succeed() noexcept {
    std::unique_lock lk(mutex_);
    if (ready()) return;
    publish(lk);
  }
  void take() {
    wait();
    rethrow_if_failed();
  }
};

}  // namespace switchyard::detail
