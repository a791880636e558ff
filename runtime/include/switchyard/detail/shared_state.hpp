// detail::SharedState: the rendezvous between a task and its Future.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <boost/fiber/condition_variable.hpp>
#include <boost/fiber/context.hpp>

#include <switchyard/detail/cancel_state.hpp>
#include <switchyard/errors.hpp>

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

// Watcher is a callback that a state calls, under its lock, when it becomes ready: how
// when_any() learns of the first of several. On the watcher's stack; unlinked before it goes.
struct Watcher {
  void (*notify)(void*) noexcept = nullptr;
  void* arg = nullptr;
  Watcher* prev = nullptr;
  Watcher* next = nullptr;
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

  // wait() blocks (a plain thread) or suspends (a fiber) until ready. A task cancelled
  // meanwhile gets TaskCancelled.
  void wait() {
    if (ready()) return;
    auto is_ready = [this] { return ready(); };
    if (waits_as_thread()) {
      std::unique_lock lk(mutex_);
      ++thread_waiters_;
      thread_cv_.wait(lk, is_ready);
      --thread_waiters_;
      return;
    }
    wait_as_fiber([&](std::unique_lock<std::mutex>& lk, auto ends) { fiber_cv_.wait(lk, ends); });
  }

  // wait_until() is wait() with a deadline; returns ready().
  template <class Clock, class Duration>
  bool wait_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    if (ready()) return true;
    auto is_ready = [this] { return ready(); };
    if (waits_as_thread()) {
      std::unique_lock lk(mutex_);
      ++thread_waiters_;
      const bool done = thread_cv_.wait_until(lk, deadline, is_ready);
      --thread_waiters_;
      return done;
    }
    return wait_as_fiber([&](std::unique_lock<std::mutex>& lk, auto ends) {
      fiber_cv_.wait_until(lk, deadline, ends);
    });
  }

  // request_cancel() cancels what the future waits for. A call whose work cannot be stopped
  // from here (a shard's) resolves with TaskCancelled at once, and its late result is dropped.
  virtual void request_cancel() noexcept {
    fail(std::make_exception_ptr(
        TaskCancelled("switchyard: the call was cancelled; its result, if any, is dropped")));
  }

  // watch() links `w`, to be notified when the state becomes ready; false, linking nothing, if
  // it already is. unwatch() unlinks it if still linked. Any thread.
  bool watch(Watcher& w) noexcept {
    std::lock_guard lk(mutex_);
    if (ready()) return false;
    w.prev = nullptr;
    w.next = watchers_;
    if (watchers_ != nullptr) watchers_->prev = &w;
    watchers_ = &w;
    return true;
  }
  void unwatch(Watcher& w) noexcept {
    std::lock_guard lk(mutex_);
    if (w.prev == nullptr && watchers_ != &w) return;  // notified, or never linked
    (w.prev != nullptr ? w.prev->next : watchers_) = w.next;
    if (w.next != nullptr) w.next->prev = w.prev;
    w.prev = w.next = nullptr;
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
    while (Watcher* w = watchers_) {
      watchers_ = w->next;
      w->prev = w->next = nullptr;
      w->notify(w->arg);
    }
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
  // interrupt() wakes the fiber waiters, for a cancelled task among them to leave.
  static void interrupt(void* self) noexcept {
    auto* state = static_cast<StateBase*>(self);
    { std::lock_guard lk(state->mutex_); }
    state->fiber_cv_.notify_all();
  }
  // wait_as_fiber() runs `wait(lock, ends)`, a wait on fiber_cv_, as a cancellable wait of the
  // calling task; returns ready(). The interrupt is registered before the lock is taken: a
  // canceller holds the task's registration lock while it takes this one (interrupt()).
  template <class Wait>
  bool wait_as_fiber(Wait&& wait) {
    CancelRegistration cancel(&StateBase::interrupt, this);
    const Joining joining;
    bool done = false;
    {
      std::unique_lock lk(mutex_);
      wait(lk, [&] { return ready() || cancel.cancelled(); });
      done = ready();
    }
    if (!done && cancel.cancelled()) {
      throw TaskCancelled(std::string("switchyard: Future wait cancelled: ") + cancel_reason());
    }
    return done;
  }

  std::mutex mutex_;

 private:
  boost::fibers::condition_variable_any fiber_cv_;
  std::condition_variable thread_cv_;
  int thread_waiters_ = 0;      // guarded by mutex_
  Watcher* watchers_ = nullptr;  // guarded by mutex_
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
