#include <switchyard/task_group.hpp>

#include <algorithm>
#include <chrono>

#include <switchyard/detail/cancel_state.hpp>

#include "core/runtime_core.hpp"
#include "exec/alarm_clock.hpp"

namespace switchyard {

namespace detail {

namespace {

// CancelShield keeps the calling task's cancellation from ending its waits while it lives.
class CancelShield {
 public:
  CancelShield() noexcept : state_(current_cancel_state()) {
    if (state_ != nullptr) state_->shield();
  }
  ~CancelShield() {
    if (state_ != nullptr) state_->unshield();
  }
  CancelShield(const CancelShield&) = delete;
  CancelShield& operator=(const CancelShield&) = delete;

 private:
  CancelState* state_;
};

}  // namespace

std::shared_ptr<GroupCore> GroupCore::make(Runtime& rt, Deadline deadline) {
  auto core = std::make_shared<GroupCore>(rt);
  if (!deadline.is_none()) {
    core->alarm_ = std::make_unique<Alarm>(deadline.at(), core, &GroupCore::on_deadline);
  }
  return core;
}

GroupCore::GroupCore(Runtime& rt) noexcept : runtime_(rt) {}

GroupCore::~GroupCore() {
  for (StateBase* child : children_) child->release();
}

void GroupCore::child_starting() noexcept {
  std::lock_guard lk(mutex_);
  if (live_++ != 0) return;
  ended_.reset();
  if (alarm_ == nullptr) return;
  if (std::chrono::steady_clock::now() < alarm_->deadline) {
    runtime_.impl_->alarms().arm(*alarm_);
  } else {
    timed_out_ = true;
    cancelled_ = true;
  }
}

void GroupCore::child_ended() noexcept {
  std::lock_guard lk(mutex_);
  if (--live_ != 0) return;
  // While the runtime still runs: the child counted out was one of its tasks.
  if (alarm_ != nullptr) runtime_.impl_->alarms().disarm(*alarm_);
  ended_.set();
}

void GroupCore::on_deadline(void* core) noexcept {
  static_cast<GroupCore*>(core)->deadline_passed();
}

void GroupCore::deadline_passed() noexcept {
  {
    std::lock_guard lk(mutex_);
    if (live_ == 0) return;  // the last child ended as the alarm rang
    timed_out_ = true;
  }
  cancel();
}

bool GroupCore::child_spawned(StateBase& child) noexcept {
  child.add_ref();
  bool listed = true;
  bool cancel_now = false;
  std::vector<StateBase*> finished;
  {
    std::lock_guard lk(mutex_);
    try {
      if (children_.size() == children_.capacity()) {
        // Drop the children that have ended before the list grows: a long-lived group keeps
        // only those still running. Room first, so that nothing allocates while they move.
        finished.reserve(children_.size());
        std::erase_if(children_, [&](StateBase* c) {
          if (!c->ready()) return false;
          finished.push_back(c);
          return true;
        });
      }
      children_.push_back(&child);
    } catch (const std::bad_alloc&) {
      listed = false;
    }
    cancel_now = cancelled_;
  }
  for (StateBase* c : finished) c->release();
  if (!listed) {
    child.release();
    return false;
  }
  // Not queued yet: it never starts.
  if (cancel_now) child.request_cancel();
  return true;
}

void GroupCore::submit(std::string_view kind, const Hint& hint, TaskBody* body) noexcept {
  runtime_.enqueue(kind, hint, body);
}

void GroupCore::child_failed(std::exception_ptr error) noexcept {
  {
    std::lock_guard lk(mutex_);
    if (!failure_) failure_ = std::move(error);
  }
  cancel();
}

void GroupCore::cancel() noexcept {
  std::vector<StateBase*> children;
  {
    std::lock_guard lk(mutex_);
    cancelled_ = true;
    try {
      children = children_;
    } catch (const std::bad_alloc&) {
      for (StateBase* c : children_) c->request_cancel();  // under the lock: never waits
      return;
    }
    for (StateBase* c : children) c->add_ref();
  }
  for (StateBase* c : children) {
    c->request_cancel();
    c->release();
  }
}

void GroupCore::owner_cancelled(void* core) noexcept {
  static_cast<GroupCore*>(core)->cancel();
}

bool GroupCore::cancelled() const noexcept {
  std::lock_guard lk(mutex_);
  return cancelled_;
}

std::size_t GroupCore::running() const noexcept {
  std::lock_guard lk(mutex_);
  return live_;
}

void GroupCore::wait(bool shielded) {
  // A listed child whose future is not ready: counted out as its captures go, it publishes a
  // moment later (its measurement is folded in between), and the wait covers that moment too.
  // The list holds only children not found ready when it last grew. Caller holds mutex_.
  const auto unready = [this] {
    return std::find_if(children_.begin(), children_.end(),
                        [](const StateBase* c) { return !c->ready(); });
  };
  {
    // Nothing to wait for (the destructor after wait(), a group that ran nothing): not
    // measured as a join, no shield.
    std::lock_guard lk(mutex_);
    if (live_ == 0 && unready() == children_.end()) return;
  }
  // A wait for the children to end: measured as joined, as a Future's get() is.
  const Joining joining;
  std::optional<CancelShield> shield;
  if (shielded) shield.emplace();
  for (;;) {
    {
      std::lock_guard lk(mutex_);
      if (live_ == 0) break;
    }
    ended_.wait();
  }
  for (;;) {
    StateBase* pending = nullptr;
    {
      std::lock_guard lk(mutex_);
      const auto it = unready();
      if (it == children_.end()) return;
      pending = *it;
      pending->add_ref();
    }
    struct Release {
      StateBase* state;
      ~Release() { state->release(); }
    } release{pending};
    pending->wait();
  }
}

void GroupCore::outcome() {
  std::exception_ptr failure;
  bool timed_out = false;
  {
    std::lock_guard lk(mutex_);
    failure = std::exchange(failure_, nullptr);
    timed_out = std::exchange(timed_out_, false);
  }
  if (failure) std::rethrow_exception(failure);
  if (timed_out) throw DeadlineExceeded("switchyard: a task group's deadline passed");
}

}  // namespace detail

TaskGroup::~TaskGroup() {
  if (core_->running() != 0) core_->cancel();
  try {
    core_->wait(true);
  } catch (...) {
    // A shielded wait ends only when the children have; nothing else can throw here.
  }
}

void TaskGroup::wait() {
  core_->wait(false);
  core_->outcome();
}

}  // namespace switchyard
