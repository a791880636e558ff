#include <switchyard/detail/cancel_subscription.hpp>

#include <switchyard/detail/task_body.hpp>

#include "task/task.hpp"

namespace switchyard::detail {

CancelSubscription::CancelSubscription(CancelCallback::Notify notify, void* arg) noexcept
    : callback_(notify, arg) {
  const Task* t = Task::current();
  if (t == nullptr) return;
  if (!t->body->cancellation.subscribe(callback_)) {
    notify(arg);
    return;
  }
  owner_ = t->body;
  owner_->add_ref();
}

CancelSubscription::~CancelSubscription() {
  if (owner_ == nullptr) return;
  owner_->cancellation.unsubscribe(callback_);
  owner_->release();
}

}  // namespace switchyard::detail
