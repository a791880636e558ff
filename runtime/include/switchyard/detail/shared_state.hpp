// detail::SharedState: the rendezvous between a task and its Future.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/fiber/condition_variable.hpp>
#include <boost/fiber/context.hpp>

namespace switchyard::detail {

// waits_as_thread() says whether a wait on the calling thread blocks the thread (it runs no
// fiber of its own: a plain thread) rather than suspending a fiber.
inline bool waits_as_thread() noexcept {
  return boost::fibers::context::active()->is_context(boost::fibers::type::main_context);
}

// set_joining() tells the calling task, if it is one, that it suspends until other tasks
// finish (true), or that it is back (false): its measurement counts that time as joined,
// not as waiting.
void set_joining(bool joining) noexcept;

// Joining marks the calling task as joining for its lifetime.
struct Joining {
  Joining() noexcept { set_joining(true); }
  ~Joining() { set_joining(false); }
  Joining(const Joining&) = delete;
  Joining& operator=(const Joining&) = delete;
};

// StateBase holds the part of a future's state that does not depend on the value type. It is
// reference-counted: the Future holds one reference and the task another. A fiber waits on a
// Boost.Fiber condition variable, which suspends it; a plain thread on a standard one, which
// wakes it with one futex call (Boost's would take its spinlock and its scheduler's). Its lock
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
    auto is_ready = [this] { return ready(); };
    if (waits_as_thread()) {
      ++thread_waiters_;
      thread_cv_.wait(lk, is_ready);
      --thread_waiters_;
    } else {
      const Joining joining;
      fiber_cv_.wait(lk, is_ready);
    }
  }

  // wait_until() is wait() with a deadline; returns ready().
  template <class Clock, class Duration>
  bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    if (ready()) return true;
    std::unique_lock lk(mutex_);
    auto is_ready = [this] { return ready(); };
    if (!waits_as_thread()) {
      const Joining joining;
      return fiber_cv_.wait_until(lk, deadline, is_ready);
    }
    ++thread_waiters_;
    const bool done = thread_cv_.wait_until(lk, deadline, is_ready);
    --thread_waiters_;
    return done;
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
    const bool threads = thread_waiters_ > 0;
    lk.unlock();
    if (threads) thread_cv_.notify_all();
    fiber_cv_.notify_all();
  }
  // rethrow_if_failed() hands the error over as it rethrows it: the exception is then freed by
  // the thread that caught it, not by whichever thread releases the state last. (Either is
  // correct, but an exception_ptr counts its references inside the standard library, which
  // ThreadSanitizer cannot see, so a free on the other thread looks like a race with the
  // catcher's reads.) Once, from take().
  void rethrow_if_failed() {
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

  std::mutex mutex_;

 private:
  boost::fibers::condition_variable_any fiber_cv_;
  std::condition_variable thread_cv_;
  int thread_waiters_ = 0;  // guarded by mutex_
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
