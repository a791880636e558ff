// Channel: values passed between tasks and threads, in order, with waiting on either side.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <switchyard/deadline.hpp>
#include <switchyard/detail/channel_core.hpp>

namespace switchyard {

// ChannelClosed: a send on a channel closed before, or while the sender waited.
class ChannelClosed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Unbounded is the capacity of a channel that never makes a sender wait: `unbounded`.
struct Unbounded {};
inline constexpr Unbounded unbounded{};

namespace detail {

// ItemSlot is room for one T that a channel builds, until it is moved out.
template <class T>
class ItemSlot {
 public:
  void* data() noexcept { return bytes_; }
  // take() moves the T built here out, and destroys it.
  T take() noexcept {
    T* item = std::launder(reinterpret_cast<T*>(bytes_));
    T out(std::move(*item));
    item->~T();
    return out;
  }

 private:
  alignas(T) unsigned char bytes_[sizeof(T)];
};

template <class T>
inline constexpr ItemOps kItemOps{
    sizeof(T), alignof(T),
    [](void* to, void* from) noexcept { ::new (to) T(std::move(*static_cast<T*>(from))); },
    [](void* item) noexcept { static_cast<T*>(item)->~T(); },
    std::is_trivially_copyable_v<T>&& std::is_trivially_destructible_v<T>};

}  // namespace detail

template <class T>
struct ReceiveCase;
template <class T>
struct SendCase;

namespace detail {
template <class Case>
struct SelectTraits;
}  // namespace detail

// Channel<T> carries values from any number of senders to any number of receivers, tasks and
// plain threads alike, each value to one receiver, in the order sent. A bounded channel holds
// up to its capacity (0: none, each send waits until a receiver takes the value); an unbounded
// one never makes a sender wait. Waiting suspends a task (on any executor) and blocks a
// thread; it counts as waiting in the task's measurements, and once the runtime cancels its
// waits at shutdown a task's wait throws TaskCancelled. close() ends it: receivers drain what
// is left, then see the end (receive() returns nullopt; a range-for stops); senders get
// ChannelClosed. A Channel neither moves nor copies: share it by reference or shared_ptr, and
// destroy it only once nobody waits on it. T must be nothrow move-constructible.
template <class T>
class Channel {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "switchyard::Channel<T>: T must be nothrow move-constructible");

 public:
  // Channel(capacity) holds up to `capacity` values; 0 makes every send a rendezvous.
  explicit Channel(std::size_t capacity = 0) noexcept : core_(detail::kItemOps<T>, capacity) {}
  // Channel(unbounded) never makes a sender wait.
  explicit Channel(Unbounded) noexcept
      : core_(detail::kItemOps<T>, detail::ChannelCore::kUnbounded) {}
  // Channel(capacity, name) and Channel(unbounded, name) make a named channel: the reports of
  // the runtimes whose tasks wait on it list its waits (docs/report.md). Throw
  // std::invalid_argument for a name over 256 bytes.
  Channel(std::size_t capacity, std::string_view name) : Channel(capacity) { set_name(name); }
  Channel(Unbounded, std::string_view name) : Channel(unbounded) { set_name(name); }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // send() passes `value` on, waiting as long as it takes for room or a receiver. Throws
  // ChannelClosed.
  void send(T value) { core_.send(&value, Deadline::none()); }
  // try_send() passes `value` on if it can without waiting; true if it did. `value` is moved
  // from only then. Throws ChannelClosed.
  bool try_send(T&& value) { return core_.send(&value, kPast); }
  // send_until() is send() that gives up at `deadline`: false then, `value` untouched.
  bool send_until(T&& value, Deadline deadline) { return core_.send(&value, deadline); }
  // send_for() is send_until(now + timeout).
  template <class Rep, class Period>
  bool send_for(T&& value, const std::chrono::duration<Rep, Period>& timeout) {
    return send_until(std::move(value), Deadline(timeout));
  }

  // receive() takes the next value, waiting as long as it takes; nullopt once the channel is
  // closed and drained.
  std::optional<T> receive() { return receive_until(Deadline::none()); }
  // try_receive() takes the next value if there is one now; nullopt otherwise (drained()
  // tells whether one can still come).
  std::optional<T> try_receive() { return receive_until(kPast); }
  // receive_until() is receive() that gives up at `deadline`: nullopt then.
  std::optional<T> receive_until(Deadline deadline) {
    detail::ItemSlot<T> slot;
    if (!core_.receive(slot.data(), deadline)) return std::nullopt;
    return slot.take();
  }
  // receive_for() is receive_until(now + timeout).
  template <class Rep, class Period>
  std::optional<T> receive_for(const std::chrono::duration<Rep, Period>& timeout) {
    return receive_until(Deadline(timeout));
  }

  // close() closes the channel (see the class comment). Never waits; later calls do nothing.
  void close() noexcept { core_.close(); }
  // closed() says whether close() was called; drained() whether, also, no value is left.
  bool closed() const noexcept { return core_.closed(); }
  bool drained() const noexcept { return core_.drained(); }
  // size() is how many values are buffered now.
  std::size_t size() const noexcept { return core_.size(); }
  // capacity() is how many values it buffers at most (SIZE_MAX: unbounded).
  std::size_t capacity() const noexcept { return core_.capacity(); }
  // set_name() names it, as the constructors with a name do (an empty name unnames it). Before
  // it is shared. Throws std::invalid_argument for a name over 256 bytes.
  void set_name(std::string_view name) { core_.set_name(name); }

  // Iterator reads the channel as a range: each step receives, waiting as receive() does, and
  // the range ends once the channel is closed and drained.
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = T*;
    using reference = T&;

    Iterator() = default;
    explicit Iterator(Channel* ch) : channel_(ch), value_(ch->receive()) {}
    T& operator*() { return *value_; }
    T* operator->() { return &*value_; }
    Iterator& operator++() {
      value_ = channel_->receive();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(const Iterator& other) const noexcept {
      return value_.has_value() == other.value_.has_value();
    }

   private:
    Channel* channel_ = nullptr;
    std::optional<T> value_;
  };
  // begin() receives the first value (waiting); end() is the channel drained.
  Iterator begin() { return Iterator(this); }
  Iterator end() { return Iterator(); }

 private:
  template <class Case>
  friend struct detail::SelectTraits;
  static constexpr Deadline kPast{std::chrono::steady_clock::time_point::min()};

  detail::ChannelCore core_;
};

// ReceiveCase is a select case that receives from a channel into an optional.
template <class T>
struct ReceiveCase {
  Channel<T>& channel;
  std::optional<T>& into;
};

// receive_into() is a select case: receive from `channel` into `into`.
template <class T>
ReceiveCase<T> receive_into(Channel<T>& channel, std::optional<T>& into) noexcept {
  return {channel, into};
}

// SendCase is a select case that sends a value to a channel (Go's `case ch <- v`).
template <class T>
struct SendCase {
  Channel<T>& channel;
  T& value;
};

// send_to() is a select case: send `value` to `channel`. The value is moved from only if this
// case is the one the select takes.
template <class T>
SendCase<T> send_to(Channel<T>& channel, T& value) noexcept {
  return {channel, value};
}

namespace detail {

// SelectTraits is how select() lays out one kind of case: the room its outcome needs, its
// entry for select_cases(), and what it does once taken.
template <class T>
struct SelectTraits<ReceiveCase<T>> {
  using Slot = ItemSlot<T>;
  static SelectCase entry(const ReceiveCase<T>& c, Slot& slot) noexcept {
    return {&c.channel.core_, slot.data(), false};
  }
  static void taken(const ReceiveCase<T>& c, Slot& slot) { c.into.emplace(slot.take()); }
};

template <class T>
struct SelectTraits<SendCase<T>> {
  struct Slot {};
  static SelectCase entry(const SendCase<T>& c, Slot&) noexcept {
    return {&c.channel.core_, std::addressof(c.value), true};
  }
  static void taken(const SendCase<T>&, Slot&) noexcept {}
};

// kIsSelectCase says whether `Case` is a select case (ReceiveCase or SendCase).
template <class Case, class = void>
inline constexpr bool kIsSelectCase = false;
template <class Case>
inline constexpr bool kIsSelectCase<Case, std::void_t<typename SelectTraits<Case>::Slot>> = true;

// SelectCases enables select() for a list of select cases only.
template <class... Cases>
using SelectCases = std::enable_if_t<(kIsSelectCase<Cases> && ...), int>;

}  // namespace detail

// select() waits on several channels at once (Go's select) until one of its cases can go
// ahead, and takes that one alone: it returns the case's index. A receive case
// (receive_into) leaves the value in its optional, or the optional empty when that channel is
// drained (closed and empty); a send case (send_to) has sent its value, to a receiver or into
// the channel's buffer. When several can go ahead at once, the first in order does. nullopt
// once `deadline` passes. Up to 16 cases, on channels of any types (one channel may appear in
// several). Throws ChannelClosed when the case it comes to is a send to a closed channel (in
// order, as a case that can go ahead), TaskCancelled when the runtime or the task's
// cancellation ends the wait; a case not taken leaves its value and optional untouched.
template <class... Cases, detail::SelectCases<Cases...> = 0>
std::optional<std::size_t> select(Deadline deadline, Cases... cases) {
  static_assert(sizeof...(Cases) > 0 && sizeof...(Cases) <= detail::kMaxSelectCases,
                "switchyard::select takes 1 to 16 cases");
  std::tuple<typename detail::SelectTraits<Cases>::Slot...> slots;
  return [&]<std::size_t... I>(std::index_sequence<I...>)->std::optional<std::size_t> {
    const std::array<detail::SelectCase, sizeof...(Cases)> list{
        detail::SelectTraits<Cases>::entry(cases, std::get<I>(slots))...};
    bool got = false;
    const std::optional<std::size_t> which =
        detail::select_cases(list.data(), list.size(), deadline, &got);
    if (which && got) {
      ((*which == I ? (detail::SelectTraits<Cases>::taken(cases, std::get<I>(slots)), 0) : 0), ...);
    }
    return which;
  }
  (std::index_sequence_for<Cases...>{});
}

// select(cases...) is select() without a deadline.
template <class... Cases, detail::SelectCases<Cases...> = 0>
std::optional<std::size_t> select(Cases... cases) {
  return select(Deadline::none(), cases...);
}

}  // namespace switchyard
