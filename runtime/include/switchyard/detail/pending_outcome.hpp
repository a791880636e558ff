// detail::PendingOutcome: a task's value or error, between computing it and publishing it.
#pragma once

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <switchyard/detail/shared_state.hpp>

namespace switchyard::detail {

// PendingOutcome<R> keeps what a task came to (a value, or an exception) until the runtime
// has folded the task's measurement into its kind, then hands it to the future's state.
// One thread at a time.
template <class R>
class PendingOutcome {
 public:
  // set_value() keeps the value (no arguments for void).
  template <class... U>
  void set_value(U&&... value) {
    value_.emplace(std::forward<U>(value)...);
  }
  void set_error(std::exception_ptr error) noexcept { error_ = std::move(error); }
  bool failed() const noexcept { return error_ != nullptr; }
  const std::exception_ptr& error() const noexcept { return error_; }

  // publish_to() resolves `state` with the value or the error, moving it out.
  void publish_to(SharedState<R>& state) noexcept {
    if (error_) {
      state.fail(std::move(error_));
    } else if constexpr (std::is_void_v<R>) {
      state.succeed();
    } else {
      state.succeed(std::move(*value_));
      value_.reset();
    }
  }

 private:
  struct Unit {};
  std::optional<std::conditional_t<std::is_void_v<R>, Unit, R>> value_;
  std::exception_ptr error_;
};

}  // namespace switchyard::detail
