#include <switchyard/detail/channel_core.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

#include <switchyard/channel.hpp>

namespace switchyard::detail {

namespace {
// What a waiter's claimant did (WaitNode::signal).
enum Signal : std::uint32_t { kDone = 1, kClosed = 2 };
}  // namespace

ChannelCore::~ChannelCore() {
  for (std::size_t i = 0; i < count_; ++i) destroy_item(slot(head_ + i));
  if (ring_ != nullptr) ::operator delete(ring_, std::align_val_t(ops_.align));
}

void* ChannelCore::slot(std::size_t i) const noexcept {
  return ring_ + (i >= slots_ ? i - slots_ : i) * ops_.size;
}

void ChannelCore::move_item(void* to, void* from) const noexcept {
  if (ops_.trivial) {
    std::memcpy(to, from, ops_.size);
  } else {
    ops_.move_construct(to, from);
  }
}

void ChannelCore::destroy_item(void* item) const noexcept {
  if (!ops_.trivial) ops_.destroy(item);
}

void ChannelCore::push(void* from) {
  if (count_ == slots_) {
    // Grow by doubling, never past the capacity nor past what an allocation can hold.
    const std::size_t most = std::min(capacity_, PTRDIFF_MAX / ops_.size);
    if (slots_ >= most) throw std::bad_alloc();
    const std::size_t grown = std::min(most, std::max<std::size_t>(4, slots_ * 2));
    auto* ring =
        static_cast<unsigned char*>(::operator new(grown* ops_.size, std::align_val_t(ops_.align)));
    for (std::size_t i = 0; i < count_; ++i) {
      void* old = slot(head_ + i);
      move_item(ring + i * ops_.size, old);
      destroy_item(old);
    }
    if (ring_ != nullptr) ::operator delete(ring_, std::align_val_t(ops_.align));
    ring_ = ring;
    slots_ = grown;
    head_ = 0;
  }
  move_item(slot(head_ + count_), from);
  ++count_;
}

bool ChannelCore::take(void* to, WaitList& woken) noexcept {
  if (count_ > 0) {
    void* first = slot(head_);
    move_item(to, first);
    destroy_item(first);
    if (++head_ == slots_) head_ = 0;
    --count_;
    // The room just made goes to the longest-waiting sender, if any (a ring with senders
    // waiting is full, so this needs no growth).
    if (WaitNode* s = senders_.claim_front()) {
      move_item(slot(head_ + count_), s->item);
      ++count_;
      s->signal = kDone;
      woken.push_back(*s);
    }
    return true;
  }
  if (WaitNode* s = senders_.claim_front()) {
    move_item(to, s->item);
    s->signal = kDone;
    woken.push_back(*s);
    return true;
  }
  return false;
}

bool ChannelCore::offer(void* from, WaitList& woken) {
  if (WaitNode* r = receivers_.claim_front()) {
    move_item(r->item, from);
    r->signal = kDone;
    woken.push_back(*r);
    return true;
  }
  if (count_ < capacity_) {
    push(from);
    return true;
  }
  return false;
}

bool ChannelCore::send(void* from, Deadline deadline) {
  std::unique_lock lk(lock_);
  if (closed_) throw ChannelClosed("switchyard::Channel::send: the channel is closed");
  WaitList woken;
  if (offer(from, woken)) {
    lk.unlock();
    wake_all(woken);
    return true;
  }
  if (deadline.passed()) return false;
  Sleeper sleeper(WaitCause::channel, name_.stats());
  WaitNode node(sleeper);
  node.item = from;
  const WaitOutcome outcome = wait_in(senders_, node, lk, deadline.at());
  if (outcome == WaitOutcome::woken) {
    if (node.signal == kDone) return true;
    throw ChannelClosed(
        "switchyard::Channel::send: the channel was closed while the sender waited");
  }
  lk.unlock();
  if (outcome == WaitOutcome::cancelled) throw_cancelled("Channel::send");
  return false;
}

bool ChannelCore::receive(void* to, Deadline deadline) {
  std::unique_lock lk(lock_);
  WaitList woken;
  if (take(to, woken)) {
    lk.unlock();
    wake_all(woken);
    return true;
  }
  if (closed_ || deadline.passed()) return false;
  Sleeper sleeper(WaitCause::channel, name_.stats());
  WaitNode node(sleeper);
  node.item = to;
  const WaitOutcome outcome = wait_in(receivers_, node, lk, deadline.at());
  if (outcome == WaitOutcome::woken) return node.signal == kDone;
  lk.unlock();
  if (outcome == WaitOutcome::cancelled) throw_cancelled("Channel::receive");
  return false;
}

void ChannelCore::close() noexcept {
  WaitList woken;
  {
    std::lock_guard lk(lock_);
    if (closed_) return;
    closed_ = true;
    for (WaitList* list : {&receivers_, &senders_}) {
      while (WaitNode* n = list->claim_front()) {
        n->signal = kClosed;
        woken.push_back(*n);
      }
    }
  }
  wake_all(woken);
}

bool ChannelCore::closed() const noexcept {
  std::lock_guard lk(lock_);
  return closed_;
}

bool ChannelCore::drained() const noexcept {
  std::lock_guard lk(lock_);
  return closed_ && count_ == 0;
}

std::size_t ChannelCore::size() const noexcept {
  std::lock_guard lk(lock_);
  return count_;
}

std::optional<std::size_t> select_cases(const SelectCase* cases, std::size_t n, Deadline deadline,
                                        bool* got) {
  // Every channel is locked at once, in address order, so that none can gain an item, room or
  // a waiter between the look at it and the linking of the waiter.
  std::array<ChannelCore*, kMaxSelectCases> order{};
  for (std::size_t i = 0; i < n; ++i) order[i] = cases[i].channel;
  std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n));
  const auto distinct = static_cast<std::size_t>(
      std::unique(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n)) - order.begin());
  auto lock_all = [&] {
    for (std::size_t i = 0; i < distinct; ++i) order[i]->lock_.lock();
  };
  auto unlock_all = [&] {
    for (std::size_t i = distinct; i-- > 0;) order[i]->lock_.unlock();
  };
  auto closed_to = [](std::size_t i) {
    return ChannelClosed("switchyard::select: send case " + std::to_string(i) +
                         ": the channel is closed");
  };
  lock_all();
  WaitList woken;
  for (std::size_t i = 0; i < n; ++i) {
    ChannelCore& ch = *cases[i].channel;
    bool done = false;
    if (cases[i].send) {
      if (ch.closed_) {
        unlock_all();
        throw closed_to(i);
      }
      try {
        done = ch.offer(cases[i].item, woken);
      } catch (...) {
        unlock_all();
        throw;
      }
      *got = done;
    } else {
      const bool taken = ch.take(cases[i].item, woken);
      done = taken || ch.closed_;
      *got = taken;
    }
    if (done) {
      unlock_all();
      wake_all(woken);
      return i;
    }
  }
  if (deadline.passed()) {
    unlock_all();
    return std::nullopt;
  }
  Sleeper sleeper(WaitCause::channel);
  std::array<WaitNode, kMaxSelectCases> nodes;
  // One wait per channel, however many of the cases name it.
  std::array<WaitRecord, kMaxSelectCases> records;
  for (std::size_t i = 0; i < distinct; ++i) records[i].start(order[i]->name_.stats());
  const WaitOutcome outcome = wait_as(sleeper, deadline.at(), [&] {
    for (std::size_t i = 0; i < n; ++i) {
      nodes[i].sleeper = &sleeper;
      nodes[i].item = cases[i].item;
      nodes[i].tag = static_cast<std::uint32_t>(i);
      ChannelCore& ch = *cases[i].channel;
      (cases[i].send ? ch.senders_ : ch.receivers_).push_back(nodes[i]);
    }
    unlock_all();
  });
  for (std::size_t i = 0; i < n; ++i) {
    ChannelCore& ch = *cases[i].channel;
    std::lock_guard lk(ch.lock_);
    if (nodes[i].linked) (cases[i].send ? ch.senders_ : ch.receivers_).remove(nodes[i]);
  }
  if (const WaitNode* w = sleeper.winner()) {
    *got = w->signal == kDone;
    if (cases[w->tag].send && !*got) throw closed_to(w->tag);
    return w->tag;
  }
  if (outcome == WaitOutcome::cancelled) throw_cancelled("select");
  return std::nullopt;
}

}  // namespace switchyard::detail
