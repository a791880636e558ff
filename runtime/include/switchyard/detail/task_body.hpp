// detail::TaskBody: what a task runs, behind a small interface the runtime drives.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include <switchyard/detail/cancel_state.hpp>
#include <switchyard/detail/pending_outcome.hpp>
#include <switchyard/detail/shared_state.hpp>

namespace switchyard::detail {

// TaskBody is driven by the runtime in two steps so that the task's measurements are folded
// into its kind's profile before its future becomes ready: compute() runs the callable and
// keeps the outcome, drop_callable() then destroys the callable's captures (after the task's
// locals: a capture may be what a group waits for), publish() hands the outcome to the
// future. cancel() resolves the future without running anything. Exactly one of (compute,
// drop_callable, publish) or cancel is called, once.
class TaskBody {
 public:
  virtual ~TaskBody() = default;
  virtual void compute() noexcept = 0;
  virtual void drop_callable() noexcept = 0;
  virtual bool failed() const noexcept = 0;
  // error() is the exception compute() caught, or null.
  virtual std::exception_ptr error() const noexcept = 0;
  virtual void publish() noexcept = 0;
  virtual void cancel(std::exception_ptr why) noexcept = 0;
  // add_ref() takes one more reference to the body (and to the future's state); release()
  // drops one: the runtime's, or one add_ref() took.
  virtual void add_ref() noexcept = 0;
  virtual void release() noexcept = 0;
  // bytes() is the size of the body's allocation (the future's state and the callable's
  // captures, not what they point to), for the runtime's memory report.
  virtual std::size_t bytes() const noexcept = 0;

  // cancellation is the task's: its future cancels it, its waits look at it.
  CancelState cancellation;
};

// CallableTask is the future's state and the task's body in one allocation. It starts with
// two references: one for the Future, one for the runtime.
template <class R, class F>
class CallableTask final : public SharedState<R>, public TaskBody {
 public:
  template <class G>
  explicit CallableTask(G&& fn) : fn_(std::in_place, std::forward<G>(fn)) {
    this->add_ref();
  }

  void compute() noexcept override {
    try {
      if constexpr (std::is_void_v<R>) {
        std::invoke(std::move(*fn_));
        outcome_.set_value();
      } else {
        outcome_.set_value(std::invoke(std::move(*fn_)));
      }
    } catch (...) {
      outcome_.set_error(std::current_exception());
    }
  }
  // Now, not when the future goes away.
  void drop_callable() noexcept override { fn_.reset(); }
  bool failed() const noexcept override { return outcome_.failed(); }
  std::exception_ptr error() const noexcept override { return outcome_.error(); }
  void publish() noexcept override { outcome_.publish_to(*this); }
  void cancel(std::exception_ptr why) noexcept override {
    fn_.reset();
    this->fail(std::move(why));
  }
  void add_ref() noexcept override { SharedState<R>::add_ref(); }
  void release() noexcept override { SharedState<R>::release(); }
  // request_cancel() resolves the future at once if the task has not started (it never will);
  // a running task unwinds from its next wait, and its future resolves when it ends.
  void request_cancel() noexcept override {
    if (cancellation.request()) {
      this->fail(std::make_exception_ptr(
          TaskCancelled("switchyard: the task was cancelled before it started")));
    }
  }
  std::size_t bytes() const noexcept override { return sizeof(*this); }

 private:
  std::optional<F> fn_;
  PendingOutcome<R> outcome_;
};

}  // namespace switchyard::detail
