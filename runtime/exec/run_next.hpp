// RunNextSlot: the one task a Processor runs next, woken by the task running there.
#pragma once

#include <atomic>
#include <cstdint>

#include "task/task.hpp"

namespace switchyard::detail {

// RunNextSlot holds the task that the task running on a Processor has just woken (a channel
// hand-off, a Mutex unlock, a Future set), to run as soon as the waker stops (Go's runnext).
// A pair that wakes each other then runs in turn on one worker, each finding the other's
// data in its cache, and neither goes through the queue's lock. The owner puts and takes
// with one atomic exchange each; a put displaces the occupant, which the caller queues.
//
// Thieves may take the occupant only once it has sat there a while: the owner usually runs it
// within a microsecond, and stealing it would split the pair across threads. The first thief
// to see an occupant marks it (the low bit of the slot) and notes the time; a thief steals a
// marked occupant kStealAfterNs after that. The owner never reads the clock: a put or take
// replaces the slot, mark and all. Any thread.
class RunNextSlot {
 public:
  // kStealAfterNs: how long a thief lets an occupant it has seen sit before taking it: a few
  // of the owner's task switches, far less than a time slice of the OS.
  static constexpr std::int64_t kStealAfterNs = 5'000;

  // put() makes `task` the occupant; returns the one it displaced, or nullptr. The owner's.
  Task* put(Task& task) noexcept {
    return unmarked(
        slot_.exchange(reinterpret_cast<std::uintptr_t>(&task), std::memory_order_acq_rel));
  }

  // take() empties the slot; returns its occupant, or nullptr. The owner's.
  Task* take() noexcept {
    if (slot_.load(std::memory_order_relaxed) == 0) return nullptr;
    return unmarked(slot_.exchange(0, std::memory_order_acq_rel));
  }

  // steal() is a thief's take at time `now_ns`: the occupant if a thief marked it at least
  // kStealAfterNs before, else nullptr (marking an unmarked occupant).
  Task* steal(std::int64_t now_ns) noexcept {
    std::uintptr_t seen = slot_.load(std::memory_order_acquire);
    if (seen == 0 || !aged(seen, now_ns)) return nullptr;
    if (!slot_.compare_exchange_strong(seen, 0, std::memory_order_acq_rel)) return nullptr;
    return unmarked(seen);
  }

  // stealable() says whether steal(now_ns) would take the occupant as things stand (marking
  // an unmarked occupant, as steal() does).
  bool stealable(std::int64_t now_ns) noexcept {
    const std::uintptr_t seen = slot_.load(std::memory_order_acquire);
    return seen != 0 && aged(seen, now_ns);
  }

  // occupied() says whether the slot holds a task; a hint.
  bool occupied() const noexcept { return slot_.load(std::memory_order_relaxed) != 0; }

 private:
  static constexpr std::uintptr_t kMarked = 1;
  static_assert(alignof(Task) > kMarked, "a Task pointer leaves the mark bit free");

  static Task* unmarked(std::uintptr_t v) noexcept { return reinterpret_cast<Task*>(v & ~kMarked); }

  // aged() says whether the occupant `seen` was marked kStealAfterNs before `now_ns`; marks it
  // if it was not marked.
  bool aged(std::uintptr_t seen, std::int64_t now_ns) noexcept {
    if ((seen & kMarked) == 0) {
      // The time first, so that a thief that sees the mark sees this time or a later one.
      marked_ns_.store(now_ns, std::memory_order_relaxed);
      slot_.compare_exchange_strong(seen, seen | kMarked, std::memory_order_release,
                                    std::memory_order_relaxed);
      return false;
    }
    return now_ns - marked_ns_.load(std::memory_order_relaxed) >= kStealAfterNs;
  }

  std::atomic<std::uintptr_t> slot_{0};
  std::atomic<std::int64_t> marked_ns_{0};
};

}  // namespace switchyard::detail
