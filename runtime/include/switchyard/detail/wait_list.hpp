// WaitList: the tasks and threads waiting on one synchronization object, and how each waits.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <type_traits>

#include <switchyard/detail/wait_stats.hpp>
#include <switchyard/wait_cause.hpp>

namespace switchyard::detail {

class Waiter;
struct WaitNode;

// WaitOutcome is how a wait on a synchronization object ended.
enum class WaitOutcome : std::uint8_t { woken, timeout, cancelled };

// Sleeper is the task or thread behind one wait, on the waiter's stack. A wait links one
// WaitNode into each object it waits on (one, or several for a select); every party that may
// end it (an object's releaser, the deadline, the runtime's cancellation) must first claim the
// sleeper, and exactly one succeeds. The object's releaser claims under the object's lock,
// records what it did in the node (WaitNode::signal) and, once it has released the lock,
// calls wake(); it touches neither the sleeper nor the node after that.
class Sleeper {
 public:
  // Sleeper() is a wait for `cause`: a waiting task's measurement files its time under it. A
  // wait on a named object counts in `named`, the object's WaitStats (nullptr: unnamed, or a
  // wait that counts itself, as one over several objects does).
  explicit Sleeper(WaitCause cause, WaitStats* named = nullptr) noexcept
      : cause_(cause), named_(named) {}
  Sleeper(const Sleeper&) = delete;
  Sleeper& operator=(const Sleeper&) = delete;

  // claim() takes the right to end this wait for `node`; false if another party took it.
  // Under the lock of the object `node` is linked to.
  bool claim(WaitNode& node) noexcept {
    std::uintptr_t armed = armed_;
    if (!slot_.compare_exchange_strong(armed, 0, std::memory_order_acq_rel)) return false;
    winner_ = &node;
    return true;
  }
  // wake() ends the wait after a successful claim(). Any thread, without the object's lock.
  void wake() noexcept;
  // winner() is the node whose claim ended the wait; nullptr if the deadline or the runtime's
  // cancellation ended it. Read by the waiter once the wait has returned.
  WaitNode* winner() const noexcept { return winner_; }

 private:
  friend WaitOutcome wait_as(Sleeper&, std::chrono::steady_clock::time_point, void (*)(void*),
                             void*);

  // slot_ holds armed_ while the wait can be claimed: the Waiter's address for a task (its
  // deadline and cancellation claim through Waiter::claim()), 1 for a thread.
  std::atomic<std::uintptr_t> slot_{0};
  std::uintptr_t armed_ = 0;
  Waiter* waiter_ = nullptr;             // a task's
  std::atomic<std::uint32_t> futex_{0};  // a thread's: 1 once woken
  WaitNode* winner_ = nullptr;
  const WaitCause cause_;
  WaitStats* const named_;
};

// WaitNode is one wait's entry in one object's WaitList, on the waiter's stack.
struct WaitNode {
  WaitNode() = default;
  explicit WaitNode(Sleeper& s) noexcept : sleeper(&s) {}
  WaitNode(const WaitNode&) = delete;
  WaitNode& operator=(const WaitNode&) = delete;

  Sleeper* sleeper = nullptr;
  WaitNode* prev = nullptr;
  WaitNode* next = nullptr;
  bool linked = false;
  // The object's own: what the waiter wants (item, tag), and what its claimant did (signal),
  // written before wake() and read by the waiter once woken.
  void* item = nullptr;
  std::uint32_t tag = 0;
  std::uint32_t signal = 0;
  std::int64_t since_ns = 0;
};

// WaitList is a FIFO of WaitNodes, guarded by its object's lock.
class WaitList {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  WaitNode* front() const noexcept { return head_; }

  void push_back(WaitNode& n) noexcept {
    n.prev = tail_;
    n.next = nullptr;
    (tail_ != nullptr ? tail_->next : head_) = &n;
    tail_ = &n;
    n.linked = true;
  }
  void push_front(WaitNode& n) noexcept {
    n.prev = nullptr;
    n.next = head_;
    (head_ != nullptr ? head_->prev : tail_) = &n;
    head_ = &n;
    n.linked = true;
  }
  // remove() unlinks `n`, which must be linked here.
  void remove(WaitNode& n) noexcept {
    (n.prev != nullptr ? n.prev->next : head_) = n.next;
    (n.next != nullptr ? n.next->prev : tail_) = n.prev;
    n.prev = n.next = nullptr;
    n.linked = false;
  }
  // claim_front() unlinks nodes from the front until one whose sleeper it can claim, which it
  // returns (unlinked); nullptr when none is left. Nodes it could not claim belong to waits
  // that are ending (deadline, cancellation, or another object of a select).
  WaitNode* claim_front() noexcept {
    while (WaitNode* n = head_) {
      remove(*n);
      if (n->sleeper->claim(*n)) return n;
    }
    return nullptr;
  }

 private:
  WaitNode* head_ = nullptr;
  WaitNode* tail_ = nullptr;
};

// wait_as() waits, as the caller: a task suspends (on any executor), anything else blocks its
// thread. It arms `s`, then calls `link(arg)`, which links the sleeper's nodes and releases
// the objects' locks, then waits until a claimant wakes it (WaitOutcome::woken), `deadline`
// passes (timeout), or the task's runtime cancels its waits at shutdown (cancelled; a thread
// is never cancelled). A waiting task's time counts as waiting in its measurements, and the
// wait counts in the sleeper's named object's WaitStats from before `link` to the return, when
// `link` has released the objects' locks (as WaitStats::ended() needs).
WaitOutcome wait_as(Sleeper& s, std::chrono::steady_clock::time_point deadline, void (*link)(void*),
                    void* arg);

// wait_as(s, deadline, link) is wait_as() with any callable for `link`.
template <class Link>
WaitOutcome wait_as(Sleeper& s, std::chrono::steady_clock::time_point deadline, Link&& link) {
  using F = std::remove_reference_t<Link>;
  return wait_as(
      s, deadline, [](void* f) { (*static_cast<F*>(f))(); }, &link);
}

// wait_in() links `node` into `list` (at the back, or the front), whose object's lock `lk`
// holds, and waits as wait_as() does with `lk` released. Returns with `lk` released when woken;
// otherwise with `lk` held again and `node` unlinked.
template <class Lock>
WaitOutcome wait_in(WaitList& list, WaitNode& node, std::unique_lock<Lock>& lk,
                    std::chrono::steady_clock::time_point deadline, bool front = false) {
  if (front) {
    list.push_front(node);
  } else {
    list.push_back(node);
  }
  const WaitOutcome outcome = wait_as(*node.sleeper, deadline, [&] { lk.unlock(); });
  if (outcome != WaitOutcome::woken) {
    lk.lock();
    if (node.linked) list.remove(node);
  }
  return outcome;
}

// throw_cancelled() throws TaskCancelled for a wait on `what` that the runtime's shutdown
// ended.
[[noreturn]] void throw_cancelled(const char* what);

// wait_granted() waits in `list`, as wait_in() does, for a claimant that hands the caller what
// it waits for (a permit, an open latch) as it wakes it: true then, false when `deadline`
// passes; throws TaskCancelled naming `what` when the runtime cancels the wait. Returns with
// `lk` released. The wait counts in `named`, the object's WaitStats if it is named.
template <class Lock>
bool wait_granted(WaitList& list, std::unique_lock<Lock>& lk,
                  std::chrono::steady_clock::time_point deadline, const char* what,
                  WaitStats* named) {
  Sleeper sleeper(WaitCause::lock, named);
  WaitNode node(sleeper);
  const WaitOutcome outcome = wait_in(list, node, lk, deadline);
  if (outcome == WaitOutcome::woken) return true;
  lk.unlock();
  if (outcome == WaitOutcome::cancelled) throw_cancelled(what);
  return false;
}

// wake_all() wakes every node of `claimed`, a list of nodes claimed under their objects'
// locks, now released, emptying it.
inline void wake_all(WaitList& claimed) noexcept {
  while (WaitNode* n = claimed.front()) {
    claimed.remove(*n);
    n->sleeper->wake();
  }
}

}  // namespace switchyard::detail
