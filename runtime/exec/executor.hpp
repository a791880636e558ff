// Executor: a set of worker threads that run tasks of one Placement.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include <switchyard/load_view.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/topology.hpp>

#include "exec/processor.hpp"
#include "exec/run_queue.hpp"
#include "exec/worker.hpp"

namespace switchyard::detail {

class RuntimeCore;

// Executor runs ready tasks on its workers. Tasks arrive from any thread (submit), either
// not yet started or with their contexts detached; the worker that picks one makes its
// context if it has none, and attaches it. Three shapes share this
// mechanism, chosen by Options:
//  - fiber executor: a fixed number of Processors, each with its own run queue and reactor;
//    a worker thread runs tasks while it holds one, keeps the tasks it spawns or wakes, and
//    steals when idle; spare threads take over the Processors of threads blocked in the OS;
//  - CPU pool: fixed workers pinned one per core, each holding a Processor for good (its run
//    queue, no reactor): spawned and woken tasks stay with their worker, idle ones steal;
//  - blocking pool: elastic workers (grows while tasks wait and no worker is idle, shrinks
//    after idling), one shared queue.
// Tasks from outside the executor (another executor's workers, plain threads) go on the
// shared queue, which every worker looks at before stealing.
class Executor {
 public:
  // kStealFreshWhileHolding: a worker steals a task that has not started yet only while at most
  // this many task contexts are attached to it (running, or suspended there on a future).
  static constexpr int kStealFreshWhileHolding = 64;

  struct Options {
    Placement placement = Placement::fiber;
    std::size_t min_workers = 1;
    std::size_t max_workers = 1;  // > min_workers: idle workers above min_workers retire
    bool processors = false;      // min_workers Processors: per-worker queues, stealing
    bool reactors = false;        // fiber executor: Processors carry reactors, are handed on
    bool pin = false;
    std::chrono::milliseconds idle_timeout{2000};
  };

  Executor(RuntimeCore& rt, const Topology& topology, Options options);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // start() launches min_workers threads. Throws std::system_error if none can start.
  void start();
  // stop() asks every worker to exit and joins them. Call only when no task is left. Blocks.
  void stop();

  // submit() queues a ready task (not yet started, or its context detached) and wakes a
  // worker (or starts one). Any thread.
  void submit(Task& task) noexcept;
  // schedule() queues a ready task: on the calling worker's own Processor when that worker
  // belongs to this executor and holds one (in its run-next slot if the task running there
  // woke it), else like submit(). Any thread.
  void schedule(Task& task) noexcept;

  // The calls below are for this executor's workers, from their own threads.
  // own_processor() is the Processor `w` holds, or nullptr; notices a hand-off.
  Processor* own_processor(Worker& w) noexcept;
  // take() finds a ready task for `w` beyond its own queue: the shared queue, then other
  // Processors' queues. nullptr if none.
  Task* take(Worker& w) noexcept;
  // steal_run_next() takes another Processor's run-next occupant for `w`, which has nothing
  // else to run, if a thief first saw it RunNextSlot::kStealAfterNs ago; on the CPU pool, whose
  // workers park without looking again, else once it is that old, if its owner has not run it
  // meanwhile (run_next.hpp). nullptr if none.
  Task* steal_run_next(Worker& w) noexcept;
  // has_work() says whether take() or steal_run_next() would find something at once (marking
  // the occupants of the siblings' run-next slots as seen, as steal_run_next() does).
  bool has_work(const Worker& w) const noexcept;
  // share_if_needed() wakes an idle worker when `w` has more ready tasks than it can run, or
  // the shared queue holds work (a wake-up may have gone to a worker that woke for another
  // reason and is busy with its own).
  void share_if_needed(const Worker& w) noexcept;
  // mark_idle()/unmark_idle() bracket a worker's sleep so submitters can find and wake it.
  void mark_idle(Worker& w);
  void unmark_idle(Worker& w);
  // try_retire() lets an idle worker above min_workers leave; true if it must exit now.
  bool try_retire(Worker& w);
  // on_thread_start() runs first on every worker thread (pinning).
  void on_thread_start(Worker& w);

  // poll_for() polls `p`'s reactor, without sleeping, for its owner, which has not polled for a
  // while: the tasks it wakes go on p's queue, in the order of their readiness, as they would
  // had the owner polled (on the shared queue they would wait behind everything the owner
  // queues meanwhile). From the monitor.
  void poll_for(Processor& p) noexcept;
  // handoff() gives Processor `p`, whose thread is blocked, to an idle spare thread or a new
  // one. From the monitor.
  void handoff(Processor& p) noexcept;
  // processors() lists the Processors (empty for the blocking pool); fixed.
  const std::vector<std::unique_ptr<Processor>>& processors() const noexcept { return processors_; }
  // reactor_for() is where a task running on `w` arms its deadlines and registers its
  // descriptors: w's Processor's reactor, or, on a thread that lost its Processor, a fixed
  // one of the executor's. Fiber executor only.
  Reactor& reactor_for(const Worker& w) noexcept;
  // reactor_at() is one of the fiber executor's reactors, chosen by `i` (a worker's index), for
  // a thread that has none of its own: a fiber thread without a Processor, a pool thread.
  Reactor& reactor_at(std::size_t i) noexcept;

  Placement placement() const noexcept { return options_.placement; }
  bool has_processors() const noexcept { return options_.processors; }
  bool has_reactors() const noexcept { return options_.reactors; }
  bool elastic() const noexcept { return options_.max_workers > options_.min_workers; }
  std::chrono::milliseconds idle_timeout() const noexcept { return options_.idle_timeout; }
  std::size_t max_workers() const noexcept { return options_.max_workers; }
  // keep() is how many workers an elastic executor keeps while idle, at least min_workers;
  // set_keep() changes it (clamped to max_workers). Any thread.
  std::size_t keep() const noexcept {
    return std::max(options_.min_workers, keep_.load(std::memory_order_relaxed));
  }
  void set_keep(std::size_t n) noexcept {
    keep_.store(std::min(n, options_.max_workers), std::memory_order_relaxed);
  }
  RuntimeCore& runtime() noexcept { return runtime_; }

  // load() snapshots workers, busy workers and queued contexts. Any thread.
  ExecutorLoad load() const noexcept;
  // slices() counts task slices started on this executor.
  std::uint64_t slices() const noexcept;
  // handoffs() counts Processors handed on from blocked threads.
  std::uint64_t handoffs() const noexcept { return handoffs_.load(std::memory_order_relaxed); }

 private:
  // push_local() queues `task` on `p`, or with `next` puts it in p's run-next slot, queueing
  // the task it displaces. From p's owner.
  void push_local(Processor& p, Task& task, bool next) noexcept;
  bool owns(const Processor& p) const noexcept;  // p is one of processors_
  bool wake_one() noexcept;
  void grow() noexcept;
  void start_worker(Processor* p);  // caller holds workers_mutex_; throws
  void reap_retired();              // caller holds workers_mutex_

  RuntimeCore& runtime_;
  const Topology& topology_;
  const Options options_;
  RunQueue shared_;
  std::vector<std::unique_ptr<Processor>> processors_;  // fixed after construction

  mutable std::mutex workers_mutex_;
  std::vector<std::unique_ptr<Worker>> workers_;  // fixed after start() unless elastic
  std::vector<std::unique_ptr<Worker>> retired_;  // exited or exiting, not yet joined
  std::vector<Worker*> spares_;                   // fiber threads without a Processor
  std::atomic<std::size_t> worker_count_{0};
  std::atomic<std::size_t> keep_{0};
  std::atomic<std::uint64_t> retired_slices_{0};
  std::atomic<std::uint64_t> handoffs_{0};
  std::size_t next_index_ = 0;
  bool stopping_ = false;

  std::mutex idle_mutex_;
  std::vector<Worker*> idle_;
  std::atomic<std::size_t> idle_count_{0};
};

}  // namespace switchyard::detail
