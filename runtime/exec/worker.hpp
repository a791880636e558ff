// Worker: one thread of an executor, running a Boost.Fiber scheduler with Switchyard's
// scheduling algorithm.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include <boost/fiber/condition_variable.hpp>
#include <boost/fiber/mutex.hpp>
#include <boost/fiber/scheduler.hpp>

#include <switchyard/counters.hpp>

#include "exec/parker.hpp"
#include "report/trace.hpp"
#include "task/task.hpp"

namespace switchyard::detail {

class Executor;
struct Processor;

// Worker owns a thread. On it, a Boost.Fiber scheduler runs tasks as fibers; the thread's
// main context only waits to be told to stop. The fields marked "own thread" are touched
// only by the worker's thread.
class Worker {
 public:
  Worker(Executor& exec, std::size_t index);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // start() launches the thread. Throws std::system_error if the OS refuses a thread.
  void start();
  // request_stop() asks the thread to exit once its scheduler has no task left. Any thread.
  void request_stop();
  // join() waits for the thread to exit. Any thread but its own.
  void join();

  // current() is the worker whose thread is calling, or nullptr.
  static Worker* current() noexcept;

  // set_running() records the task in the current slice (nullptr: none). Own thread; on
  // every task switch.
  void set_running(Task* task) noexcept {
    running = task;
    running_kind.store(task != nullptr ? &task->kind : nullptr, std::memory_order_release);
  }
  // unpark() wakes the thread wherever it sleeps: in its Processor's reactor, or its parker.
  // A wake-up is never lost. Any thread.
  void unpark() noexcept;

  Executor& executor;
  const std::size_t index;
  Parker parker;  // where it sleeps when it holds no Processor
  // The fiber executor's Processor this thread runs tasks for; nullptr on the pools, and on a
  // fiber worker whose Processor was handed on. Written by its own thread when it finds its
  // Processor gone, and by the executor (under its workers lock) when it gives it one.
  std::atomic<Processor*> processor{nullptr};

  // Own thread: contexts bound to this thread (its main and dispatcher contexts, plain fibers
  // a task started), ready to run; only this thread touches them, so no lock.
  boost::fibers::scheduler::ready_queue_type pinned;
  unsigned picks = 0;
  // Own thread: the context running is a task's, from the pick that chose it to the next (it
  // stays set while the task finishes, setting its future). Only such a task's wake-ups take
  // the run-next slot (Executor::schedule()); the scheduling algorithm clears it while it
  // queues what it was handed between slices (a task that yielded or parked, a poll's finds).
  bool on_task = false;
  // Own thread: the task in its current slice, and how many task contexts are attached to
  // this thread's scheduler (running, suspended here, or sleeping here).
  Task* running = nullptr;
  int attached = 0;
  // Own thread: the clock and usage reading that closed a finishing task's last slice, kept
  // for opening the next slice so that one reading serves both (as at any other switch).
  std::int64_t ended_ns = 0;
  ThreadUsage ended_usage;
  // Own thread: the thread's counters, for counted tasks; live while main() runs.
  std::optional<ThreadCounters> counters;
  // Own thread: its track in the runtime's trace (nullptr when not tracing), and when the
  // current task slice began on it.
  Trace::Track* trace = nullptr;
  std::int64_t trace_open_ns = 0;
  bool retiring = false;  // leaving: takes no new work
  // wakers counts the threads that took it off its executor's idle list and have not yet
  // woken it: it may not retire, and be destroyed, before they have.
  std::atomic<int> wakers{0};
  std::int64_t idle_since_ns = 0;
  // switches counts slices started, so a monitor can tell a stuck worker from a busy one;
  // running_kind is the kind of the task in the current slice (nullptr between tasks), which
  // the overflow handler names too (overflow_handler.hpp);
  // cpu_clock is the thread's CPU-time clock, so the monitor can tell blocked from busy.
  std::atomic<std::uint64_t> switches{0};
  std::atomic<KindRecord*> running_kind{nullptr};
  clockid_t cpu_clock{};      // set by start()
  std::atomic<pid_t> tid{0};  // the kernel's id of the thread, once it runs

 private:
  void main();
  // track_name() names its track in a trace: "fiber worker 0", "cpu 1", "blocking 2".
  std::string track_name() const;

  std::thread thread_;
  boost::fibers::mutex stop_mutex_;
  boost::fibers::condition_variable stop_cv_;
  std::atomic<bool> stop_{false};
};

}  // namespace switchyard::detail
