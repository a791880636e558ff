// detail::CancelSubscription: a call made when the task that made it is cancelled.
#pragma once

#include <switchyard/detail/cancel_state.hpp>

namespace switchyard::detail {

class TaskBody;

// CancelSubscription makes `notify(arg)` once, when the task that made it is cancelled, for as
// long as it lives: at once if the task already was, never if it was made outside a task.
// Once it is destroyed the call is not running and never will. It keeps a reference to the
// task's body, where the task's CancelState lives, so it may outlive the task.
class CancelSubscription {
 public:
  CancelSubscription(CancelCallback::Notify notify, void* arg) noexcept;
  ~CancelSubscription();
  CancelSubscription(const CancelSubscription&) = delete;
  CancelSubscription& operator=(const CancelSubscription&) = delete;

 private:
  TaskBody* owner_ = nullptr;  // one reference, while subscribed
  CancelCallback callback_;
};

}  // namespace switchyard::detail
