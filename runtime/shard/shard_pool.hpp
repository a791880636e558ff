// ShardPool: calls of registered tasks, carried to shard processes and answered, whatever
// happens to the shards.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <condition_variable>

#include <boost/fiber/condition_variable.hpp>
#include <switchyard/detail/shared_state.hpp>

#include "shard/call_time.hpp"
#include "shard/frame.hpp"
#include "shard/transport.hpp"

namespace switchyard::detail {

// ShardJob is one call as the pool carries it. The pool calls exactly one of answered() and
// failed(), once, from any thread; the job may delete itself there.
class ShardJob {
 public:
  virtual ~ShardJob() = default;
  // answered(): the shard's answer: a result, a failure (the task threw) or a rejection.
  // Returns false when the answer is malformed (a result that does not decode): the job has
  // then failed saying so, and the link that carried it is broken.
  virtual bool answered(Frame&& answer) noexcept = 0;
  // failed(): no answer will come (the shard was lost, or the pool closed).
  virtual void failed(std::exception_ptr error) noexcept = 0;

  std::string frame;      // the encoded call; the pool gives it its id
  std::string_view task;  // the task's name, for errors; outlives the job
  bool idempotent = false;

  // shard() is the number of the shard that answered, in answered().
  std::size_t shard() const noexcept { return shard_; }

 private:
  friend class ShardPool;
  std::uint64_t id_ = 0;
  std::size_t shard_ = 0;
  bool retried_ = false;
};

// ShardPool admits at most `inflight` calls per shard; beyond that, submitters wait, until a
// quarter of that room is free. Admitted calls queue in the pool and go to the live shard
// with the fewest calls on the wire, keeping about a millisecond of work (at least two
// calls, so a shard never waits for the next) on each: a shard that runs slower gets fewer,
// and none is left with a backlog while another idles. A shard
// that goes down fails its calls with ShardLost, naming the task and how the shard ended, except
// that a call of an idempotent task is sent again, once, to another shard; the slot is restarted at
// once, then with a backoff that doubles (10 ms to 1 s) while its shards keep dying without
// answering. Shards start when the first call comes. All members may be called from any thread.
class ShardPool final : private Transport::Events {
 public:
  // Load is a snapshot for reports.
  struct Load {
    std::size_t live = 0;  // shards serving now
    std::size_t slots = 0;
    std::size_t inflight = 0;  // calls admitted and not yet answered
    std::uint64_t answered = 0;
    std::uint64_t restarts = 0;
  };

  // ShardPool() opens `transport`, whose slots are the pool's shards. Throws
  // std::system_error when the transport cannot start.
  ShardPool(std::unique_ptr<Transport> transport, std::size_t inflight);
  ~ShardPool() override;
  ShardPool(const ShardPool&) = delete;
  ShardPool& operator=(const ShardPool&) = delete;

  // submit() takes ownership of `job` and sends it. While every shard has `inflight` calls,
  // it waits for room: a fiber suspends, a thread blocks. The job may be answered before
  // submit() returns.
  void submit(ShardJob* job) noexcept;
  // close() fails every call not yet answered, and every later or waiting submit, with
  // `error`. Never blocks for long.
  void close(std::exception_ptr error) noexcept;
  // stop() closes the pool with RuntimeStopped and ends the shards. Blocks until the shard
  // processes are gone. Idempotent.
  void stop() noexcept;
  Load load() const noexcept;
  // round_trip_ns() is the transport's own measure of a round trip to a shard, if it has one
  // (Transport::round_trip_ns). Blocks up to `wait`.
  std::optional<double> round_trip_ns(std::chrono::milliseconds wait) noexcept {
    return transport_->round_trip_ns(wait);
  }

 private:
  struct Shard {
    bool live = false;
    std::uint64_t link = 0;
    std::string who;                                     // "pid 4242"
    unsigned failures = 0;                               // downs since it last answered
    std::unordered_map<std::uint64_t, ShardJob*> calls;  // in flight, by id
  };

  void on_up(std::size_t shard, std::uint64_t link, std::string who) noexcept override;
  Verdict on_frame(std::size_t shard, std::uint64_t link, Frame&& frame) noexcept override;
  void on_down(std::size_t shard, std::uint64_t link, std::string how,
               bool restartable) noexcept override;
  // dispatch() sends queued calls to shards with room, and tells the transport whether
  // answers are due soon. Caller holds mutex_.
  void dispatch() noexcept;
  // live() counts the shards serving; on_the_wire() the calls sent and not answered;
  // admitted() those plus the queued ones. Caller holds mutex_.
  std::size_t live() const noexcept;
  std::size_t on_the_wire() const noexcept;
  std::size_t admitted() const noexcept { return queue_.size() + on_the_wire(); }
  // fail_queue() moves every queued call to `failed`, with ShardLost(`where` `how`).
  void fail_queue(std::vector<std::pair<ShardJob*, std::exception_ptr>>& failed,
                  const std::string& where, const std::string& how);
  // depth() is how many calls a shard gets ahead of its answers. Caller holds mutex_.
  std::size_t depth() const noexcept;
  // wait_for_room() waits until `ready()`, suspending a task or blocking a thread. Caller
  // holds `lk`.
  template <class Ready>
  void wait_for_room(std::unique_lock<std::mutex>& lk, Ready ready);
  // wake() notifies the waiters `waiting` counted. After releasing mutex_.
  struct Waiting {
    bool tasks = false;
    bool threads = false;
  };
  Waiting waiting() const noexcept { return {waiting_tasks_ > 0, waiting_threads_ > 0}; }
  void wake(Waiting waiting) noexcept;
  static std::chrono::milliseconds backoff(unsigned failures) noexcept;

  const std::unique_ptr<Transport> transport_;
  const std::size_t inflight_;
  const std::size_t capacity_;  // calls admitted at most: inflight_ per shard
  const std::size_t refill_;    // free room that wakes waiting submitters
  mutable std::mutex mutex_;
  // Submitters waiting for room: tasks suspend on Boost's condition variable, plain threads
  // block on the standard one (Boost's spins on a lock that a preempted notifier may hold).
  // Each is notified only when someone waits on it.
  boost::fibers::condition_variable_any room_for_tasks_;
  std::condition_variable room_for_threads_;
  std::size_t waiting_tasks_ = 0;
  std::size_t waiting_threads_ = 0;
  std::vector<Shard> shards_;
  std::deque<ShardJob*> queue_;  // admitted, waiting for a shard with room
  std::uint64_t next_id_ = 1;
  std::uint64_t answered_ = 0;
  CallTime call_time_;
  std::uint64_t restarts_ = 0;
  bool started_ = false;
  bool restartable_ = true;
  std::string unrestartable_;  // why no shard can start any more
  bool closed_ = false;
  std::exception_ptr close_error_;
};

}  // namespace switchyard::detail
