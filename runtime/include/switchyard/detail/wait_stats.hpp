// detail::WaitStats: what the waits on one named synchronization object add up to.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchyard::detail {

// WaitStats is a named object's name and the count, total time and longest queue of its waits,
// by tasks and threads alike. It is shared, counted by reference, between the object and the
// report registry of each runtime whose tasks waited on it (SyncRegistry), which joins it on
// such a task's first wait: a report still lists an object destroyed before it was taken. Its
// counters are the object's own atomics: no lock beyond the object's cache lines.
class WaitStats {
 public:
  // make() is a new record for an object of `type` ("Mutex") named `name`, with one reference.
  // Throws std::invalid_argument for a name over 256 bytes (the bound of a kind name),
  // std::bad_alloc.
  static WaitStats* make(const char* type, std::string_view name);
  WaitStats(const WaitStats&) = delete;
  WaitStats& operator=(const WaitStats&) = delete;

  void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  const char* type() const noexcept { return type_; }
  const std::string& name() const noexcept { return name_; }

  // began() counts a wait in; a waiter may hold its object's spinlock, so it takes no other
  // lock. ended() counts it out after `ns` of waiting, and joins the calling task's runtime's
  // registry if it has not yet (which locks and may allocate: no waiter holds a spinlock by
  // then). Any thread.
  void began() noexcept;
  void ended(std::int64_t ns) noexcept;

  // The figures so far; any thread.
  std::uint64_t waits() const noexcept { return waits_.load(std::memory_order_relaxed); }
  std::uint64_t wait_ns() const noexcept { return wait_ns_.load(std::memory_order_relaxed); }
  std::uint64_t longest_queue() const noexcept {
    return longest_queue_.load(std::memory_order_relaxed);
  }

  // registry: the id of the last registry it joined, so that a wait looks it up only when
  // its runtime changed (SyncRegistry::join writes it).
  std::atomic<std::uint64_t> registry{0};

 private:
  WaitStats(const char* type, std::string_view name) : type_(type), name_(name) {}
  ~WaitStats() = default;

  const char* const type_;
  const std::string name_;
  std::atomic<std::uint32_t> refs_{1};
  std::atomic<std::uint64_t> waiting_{0};  // waits under way
  std::atomic<std::uint64_t> waits_{0};
  std::atomic<std::uint64_t> wait_ns_{0};
  std::atomic<std::uint64_t> longest_queue_{0};
};

// WaitName is an object's name, if it has one: nothing but a null pointer until named, so an
// unnamed object's waits cost one test.
class WaitName {
 public:
  WaitName() = default;
  // WaitName(type, name) names an object of `type`; an empty name leaves it unnamed. Throws
  // as WaitStats::make() does.
  WaitName(const char* type, std::string_view name) { set(type, name); }
  ~WaitName() {
    if (stats_ != nullptr) stats_->release();
  }
  WaitName(const WaitName&) = delete;
  WaitName& operator=(const WaitName&) = delete;

  // set() names the object (an empty name unnames it), with a fresh record: the old one stays
  // in the reports that list it. Before the object is shared. Throws as WaitStats::make() does.
  void set(const char* type, std::string_view name);
  // stats() is the record of a named object's waits; nullptr when it is unnamed.
  WaitStats* stats() const noexcept { return stats_; }

 private:
  WaitStats* stats_ = nullptr;
};

// WaitRecord counts one wait on a named object in its WaitStats, from start() to its own end;
// it does nothing for an unnamed one (a null record) or when never started. It must end after
// the object's spinlock is released (see WaitStats::ended).
class WaitRecord {
 public:
  WaitRecord() = default;
  explicit WaitRecord(WaitStats* stats) noexcept { start(stats); }
  ~WaitRecord() {
    if (stats_ != nullptr) end();
  }
  WaitRecord(const WaitRecord&) = delete;
  WaitRecord& operator=(const WaitRecord&) = delete;

  // start() begins the wait on the object `stats` records, unless already started.
  void start(WaitStats* stats) noexcept {
    if (stats != nullptr && stats_ == nullptr) begin(stats);
  }

 private:
  void begin(WaitStats* stats) noexcept;
  void end() noexcept;

  WaitStats* stats_ = nullptr;
  std::int64_t since_ns_ = 0;
};

}  // namespace switchyard::detail
