// Trace: a timeline of every task slice, written in Chrome's trace event format.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <switchyard/placement.hpp>
#include <switchyard/report.hpp>

namespace switchyard::detail {

// Trace records what docs/report.md says a trace shows: a track per worker thread and per
// shard, a slice per task run, the watchdog's stalls, and, from the report, each move of a
// kind. Worker threads append their slices to their own track without a lock; everything
// else is rare and takes the trace's mutex. At most `max_slices` slices are kept; later ones
// are counted as dropped.
class Trace {
 public:
  // Track is one thread's timeline: only that thread appends to it, and the trace reads it
  // once the thread has been joined.
  class Track {
   public:
    // slice() records that task number `task`, of the kind named `kind`, ran from `begin_ns`
    // to `end_ns` (steady clock). Never blocks; own thread.
    void slice(std::uint64_t task, const std::string& kind, std::int64_t begin_ns,
               std::int64_t end_ns) noexcept;

   private:
    friend class Trace;
    struct Slice {
      std::uint64_t task;
      const std::string* kind;  // the kind's name, which outlives the trace's writing
      std::int64_t begin_ns;
      std::int64_t end_ns;
    };
    Track(Trace& trace, std::uint32_t id, std::string name, Placement placement)
        : trace_(trace), id_(id), name_(std::move(name)), placement_(placement) {}

    Trace& trace_;
    const std::uint32_t id_;
    const std::string name_;
    const Placement placement_;
    std::vector<Slice> slices_;
  };

  Trace(std::int64_t start_ns, std::size_t max_slices) noexcept
      : start_ns_(start_ns), max_slices_(max_slices) {}

  // track() makes a new track for a worker thread of executor `placement`, named `name`
  // ("fiber worker 0"). Its address is stable while the trace lives. Throws std::bad_alloc.
  Track& track(Placement placement, std::string name);
  // next_task() numbers a task for the trace. Any thread.
  std::uint64_t next_task() noexcept {
    return next_task_.fetch_add(1, std::memory_order_relaxed) + 1;
  }
  // shard_call() records a call that shard number `shard` ran. Any thread.
  void shard_call(std::size_t shard, std::uint64_t task, const std::string& kind,
                  std::int64_t begin_ns, std::int64_t end_ns) noexcept;
  // stall() marks, on `track`, that the watchdog caught a task of `kind` holding its worker
  // too long: `blocked` in the OS, or else computing or held by the kernel. Any thread.
  void stall(const Track& track, const std::string& kind, std::int64_t at_ns,
             bool blocked) noexcept;

  // write() writes the trace to `path`, with the moves of `report`'s kinds on a policy track.
  // Every thread that recorded must have been joined. Blocks on file I/O. Throws
  // std::runtime_error naming the path and the reason.
  void write(const std::filesystem::path& path, const Report& report) const;

 private:
  struct Stall {
    std::uint32_t track;
    const std::string* kind;
    std::int64_t at_ns;
    bool blocked;
  };
  // admit() takes room for one slice, or counts it dropped.
  bool admit() noexcept;

  const std::int64_t start_ns_;
  const std::size_t max_slices_;
  std::atomic<std::size_t> slices_{0};
  std::atomic<std::size_t> dropped_{0};
  std::atomic<std::uint64_t> next_task_{0};
  mutable std::mutex mutex_;
  std::deque<Track> tracks_;          // guarded by mutex_ while threads add to it
  std::vector<Track*> shard_tracks_;  // by shard number; guarded by mutex_
  std::vector<Stall> stalls_;         // guarded by mutex_
};

}  // namespace switchyard::detail
