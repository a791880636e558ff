// detail::ChannelCore: a channel's queue and waiters, for items of a type it does not know.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <switchyard/deadline.hpp>
#include <switchyard/detail/spinlock.hpp>
#include <switchyard/detail/wait_list.hpp>
#include <switchyard/detail/wait_stats.hpp>

namespace switchyard::detail {

// ItemOps is how a ChannelCore handles its items: their size and alignment, a move
// construction (which must not throw) and a destruction; `trivial` items (trivially copyable
// and destructible) are copied as bytes instead, with no indirect call under the lock.
struct ItemOps {
  std::size_t size;
  std::size_t align;
  void (*move_construct)(void* to, void* from) noexcept;
  void (*destroy)(void* item) noexcept;
  bool trivial;
};

class ChannelCore;

// SelectCase is one case of a select: a channel to receive from, and where an item it takes is
// built, or (`send`) a channel to send to, and the item to move in.
struct SelectCase {
  ChannelCore* channel;
  void* item;
  bool send;
};

// kMaxSelectCases bounds a select: its channels are locked together, from a fixed array.
inline constexpr std::size_t kMaxSelectCases = 16;

// select_cases() waits until one of `cases` can go ahead, and takes it: a receive case yields
// an item built at its `item` (*got true) or finds its channel drained, closed and empty (*got
// false); a send case moves its item into the channel or to a receiver (*got true). Returns its
// index, the first such in order when several can go ahead. nullopt once `deadline` passes.
// Throws ChannelClosed when the case that ends it is a send on a closed channel (its item
// untouched), TaskCancelled when the runtime or the task's cancellation ends the wait,
// std::bad_alloc (every item untouched).
std::optional<std::size_t> select_cases(const SelectCase* cases, std::size_t n, Deadline deadline,
                                        bool* got);

// ChannelCore is the non-template part of Channel<T>. Items wait in a ring that grows on
// demand up to the capacity (a large bound costs nothing until used); with no room, or with
// capacity 0, a sender waits with its item until a receiver takes it. A waiting receiver is
// handed an item directly by the sender. All under one per-channel spinlock.
class ChannelCore {
 public:
  // kUnbounded, as a capacity: never full.
  static constexpr std::size_t kUnbounded = static_cast<std::size_t>(-1);

  ChannelCore(const ItemOps& ops, std::size_t capacity) noexcept : ops_(ops), capacity_(capacity) {}
  ~ChannelCore();
  ChannelCore(const ChannelCore&) = delete;
  ChannelCore& operator=(const ChannelCore&) = delete;

  // send() moves the item at `from` into the channel: true once buffered or handed to a
  // receiver, false if `deadline` passed first (the item untouched). Throws ChannelClosed if
  // the channel is closed before the item is taken, TaskCancelled when the runtime cancels the
  // wait, std::bad_alloc (the item untouched).
  bool send(void* from, Deadline deadline);
  // receive() builds the next item at `to`: true; false if `deadline` passed first or the
  // channel is drained (closed and empty). Throws TaskCancelled as send() does.
  bool receive(void* to, Deadline deadline);
  // close() closes the channel: buffered items can still be received; waiting senders get
  // ChannelClosed and waiting receivers wake to find it drained. Later calls do nothing.
  void close() noexcept;

  bool closed() const noexcept;
  bool drained() const noexcept;
  std::size_t size() const noexcept;
  std::size_t capacity() const noexcept { return capacity_; }
  // set_name() names the channel (an empty name unnames it): the reports of the runtimes
  // whose tasks wait on it list its waits. Before it is shared. Throws std::invalid_argument for
  // a name over 256 bytes.
  void set_name(std::string_view name) { name_.set("Channel", name); }

 private:
  friend std::optional<std::size_t> select_cases(const SelectCase*, std::size_t, Deadline, bool*);

  // offer() moves the item at `from` to a waiting receiver or into the ring, if either can
  // take it now; a receiver to wake once the lock is released is left in `woken`. Caller holds
  // lock_, and the channel is open. Throws std::bad_alloc (the item untouched).
  bool offer(void* from, WaitList& woken);

  // take() builds the next item at `to` if one is buffered or offered by a waiting sender; a
  // sender to wake once the lock is released is left in `woken`. Caller holds lock_.
  bool take(void* to, WaitList& woken) noexcept;
  // push() appends the item at `from` to the ring, growing it if needed. Caller holds lock_.
  void push(void* from);
  // slot() is the item at ring position `i`, which is less than twice the ring's slots (head_
  // plus a count). move_item() and destroy_item() go through ops_.
  void* slot(std::size_t i) const noexcept;
  void move_item(void* to, void* from) const noexcept;
  void destroy_item(void* item) const noexcept;

  const ItemOps& ops_;
  const std::size_t capacity_;
  mutable Spinlock lock_;
  // The ring: `slots_` items' room, `count_` of them live from `head_` on. Guarded by lock_.
  unsigned char* ring_ = nullptr;
  std::size_t slots_ = 0;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  bool closed_ = false;
  WaitList senders_;    // guarded by lock_; their WaitNode::item is the item offered
  WaitList receivers_;  // guarded by lock_; their WaitNode::item is where to build one
  WaitName name_;
};

}  // namespace switchyard::detail
