// RuntimeCore: everything a Runtime owns, and the task life cycle.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <boost/fiber/context.hpp>

#include <switchyard/calibration.hpp>
#include <switchyard/config.hpp>
#include <switchyard/counters.hpp>
#include <switchyard/detail/registered_call.hpp>
#include <switchyard/detail/task_body.hpp>
#include <switchyard/hint.hpp>
#include <switchyard/kind_governor.hpp>
#include <switchyard/load_view.hpp>
#include <switchyard/policy.hpp>
#include <switchyard/report.hpp>
#include <switchyard/shutdown_summary.hpp>
#include <switchyard/surroundings.hpp>
#include <switchyard/task_sample.hpp>
#include <switchyard/topology.hpp>

#include "core/kind_registry.hpp"
#include "exec/alarm_clock.hpp"
#include "exec/executor.hpp"
#include "exec/monitor.hpp"
#include "exec/monitor_bell.hpp"
#include "exec/run_queue.hpp"
#include "exec/spinlock.hpp"
#include "fiber/stack_pool.hpp"
#include "report/trace.hpp"
#include "shard/shard_pool.hpp"
#include "shard/task_table.hpp"
#include "sync/sync_registry.hpp"
#include "task/cancel_signal.hpp"

namespace switchyard::detail {

class Task;
struct RemoteTask;

// RuntimeCore is the Runtime's implementation. A task's life: submit() queues its Task on
// the executor its kind (or hint) names; the worker that picks it up makes its fiber
// context (launch) and runs it; run()
// executes the body; finish() folds its measurement into the kind's profile, lets the
// policy re-place the kind, and only then resolves the future. See docs/internals.md. It is
// also what its policy consults (Surroundings): the executors' load and the calibrated machine.
class RuntimeCore final : public Surroundings {
 public:
  // RuntimeCore() uses `policy`, or the config's when it is null.
  RuntimeCore(Config config, std::unique_ptr<Policy> policy);
  ~RuntimeCore() override;
  RuntimeCore(const RuntimeCore&) = delete;
  RuntimeCore& operator=(const RuntimeCore&) = delete;

  void submit(std::string_view kind, const Hint& hint, TaskBody* body) noexcept;
  // submit(kind record, ...) is submit() for a kind kept outside the registry (and the report).
  void submit(KindRecord& kind, const Hint& hint, TaskBody* body) noexcept;
  // submit(name, hint, call) places one call of a registered task: in a shard when the hint,
  // the kind's isolation or its current placement says so, else as a local task. May wait
  // for room in the shard pool (a fiber suspends, a thread blocks). Throws std::bad_alloc.
  void submit(std::string_view name, const Hint& hint, RegisteredCall& call);
  // finish_remote() ends a shard call as finish() ends a task: with the shard's answer, or
  // with `error` when none came. Returns false when the answer was a result that did not
  // decode (the call's error then says so).
  bool finish_remote(RemoteTask& call, Frame* answer, std::exception_ptr error) noexcept;
  ShutdownSummary shutdown(std::chrono::milliseconds grace);
  Report report() const;
  // on_own_worker() says whether the caller runs on one of this runtime's worker threads.
  bool on_own_worker() const noexcept;
  // sync_objects() is the registry of the named synchronization objects its tasks waited on.
  SyncRegistry& sync_objects() noexcept { return sync_objects_; }

  // calibrate() measures the MachineModel, or reads it from the cache, with the hand-offs to
  // this runtime's pools measured by the runtime itself; the first result becomes machine().
  // Blocks: milliseconds on a warm cache, under a second cold. Any thread but a worker's.
  Calibration calibrate(bool recalibrate);
  // load() is the executors' load as refresh_load() last read it: a policy asks for it on
  // every decision, and reading it locks every executor.
  LoadView load() const noexcept override;
  // refresh_load() reads the executors' load for load(). From the monitor, every tick.
  void refresh_load() noexcept;
  const MachineModel* machine() const noexcept override {
    return machine_.load(std::memory_order_acquire);
  }

  // executor_for() is where `task` should run next. An in-process task whose kind moved to
  // shards stays where it is. Any thread.
  Executor& executor_for(const Task& task) noexcept;
  Executor& executor(Placement p) noexcept { return *executors_[index_of(p)]; }

  // launch() makes the fiber context of a task that has not started, on the worker about to
  // run it. nullptr when it cannot (no memory for a stack): the task is then set aside for
  // fail_unlaunched(). From a worker's scheduler.
  boost::fibers::context* launch(Task& task) noexcept;
  // fail_unlaunched() fails the tasks launch() could not start, each future with the reason.
  // From the monitor: not from a scheduler, where a future must not be resolved.
  void fail_unlaunched() noexcept;
  // run() is the body of every task fiber.
  void run(Task& task) noexcept;
  // make_ready() queues a ready, detached task context where its task should run next. Any
  // thread.
  void make_ready(boost::fibers::context* ctx) noexcept;
  // on_stall() records that a task of `kind` held fiber worker `w` past the stall threshold,
  // blocked in the OS (`blocked`) or computing; a blocked kind is marked stalled and the
  // policy reconsiders it. From the monitor.
  void on_stall(KindRecord& kind, const Worker& w, bool blocked) noexcept;
  // retune() lets the policy size the elastic executors from their load. From the monitor.
  void retune() noexcept;
  // cancelled() is raised when shutdown's grace period ends: waits unwind with TaskCancelled.
  const CancelSignal& cancelled() const noexcept { return cancel_; }

  StackPool& stacks() noexcept { return stacks_; }
  const Config& config() const noexcept { return config_; }
  const Topology& topology() const noexcept { return topology_; }
  // monitor_bell() is where the monitor dozes while no fiber task runs: a fiber worker that
  // starts a task after being idle rings it.
  MonitorBell& monitor_bell() noexcept { return monitor_bell_; }
  // alarms() are the deadlines the monitor rings for what is not a waiting task (a group's).
  AlarmClock& alarms() noexcept { return alarms_; }
  // trace() is the timeline being recorded, or nullptr when profiling.trace is empty.
  Trace* trace() const noexcept { return trace_.get(); }
  // counter_plan() is what every worker thread counts, decided once at start-up.
  const CounterPlan& counter_plan() const noexcept { return counter_plan_; }

 private:
  static constexpr std::size_t kExecutors = 3;  // fiber, cpu, blocking: in-process
  static std::size_t index_of(Placement p) noexcept {
    return p == Placement::shard ? 0 : static_cast<std::size_t>(p);
  }
  // Sampling says whether one task of a kind is measured, whether it reads the counters, and
  // where it must run whatever its kind does: its hint, or the policy's trial.
  struct Sampling {
    bool measured = false;
    bool counted = false;
    std::optional<Placement> pin;
  };
  // sampling() numbers a new task of `kind` and decides its Sampling.
  Sampling sampling(KindRecord& kind, const Hint& hint) noexcept;
  // start() starts a task of `kind` on `target`.
  void start(KindRecord& kind, const Sampling& sample, Placement target, TaskBody* body) noexcept;
  void finish(Task& task, bool cancelled) noexcept;
  // abandon() fails a task of `kind` that will not run, with `why`.
  void abandon(KindRecord& kind, TaskBody* body, std::exception_ptr why) noexcept;
  // account() folds a finished task's sample (if measured) into its kind and counts it:
  // failed, and, for the shutdown summary, cancelled before it ran or unwound by `error`.
  void account(KindRecord& kind, const std::optional<TaskSample>& sample, bool failed,
               bool cancelled, const std::exception_ptr& error) noexcept;
  // counsel() is what the kind's governor consults now.
  Counsel counsel(const KindRecord& kind) noexcept;
  LoadView read_load() const noexcept;
  void calibrate_in_background() noexcept;
  void end_task() noexcept;
  void cancel_waits() noexcept;
  // final_report() is the report shutdown writes to profiling.report, and the trace (written
  // once every worker thread has been joined) takes the moves from; nullopt when neither is
  // configured.
  std::optional<Report> final_report() const noexcept;
  std::int64_t since_start(std::int64_t ns) const noexcept { return ns - start_ns_; }

  const Config config_;
  const Topology topology_;
  const CounterPlan counter_plan_;
  const std::int64_t start_ns_;
  StackPool stacks_;
  const std::unique_ptr<Trace> trace_;  // before the executors: their workers record into it
  std::unique_ptr<Policy> policy_;
  // The tasks registered when the runtime started: what its shards can run.
  const TaskTable tasks_;
  KindRegistry kinds_;
  SyncRegistry sync_objects_;
  const Report::FileLimit open_files_;
  CancelSignal cancel_;  // before the executors: their reactors refer to it
  // The pool that runs registered tasks in shard processes (none when no task is registered).
  // Before the executors: its zygote is forked before their threads start.
  std::unique_ptr<ShardPool> shards_;
  MonitorBell monitor_bell_;          // before the executors: their fiber workers ring it
  AlarmClock alarms_{monitor_bell_};  // before the executors: their tasks' groups arm it
  RunQueue unlaunched_;               // tasks launch() could not start, for fail_unlaunched()
  std::array<std::unique_ptr<Executor>, kExecutors> executors_;
  std::unique_ptr<Monitor> monitor_;  // stopped before the executors

  // Calibration: its probing tasks' kind (unsampled, unreported), the first result, and the
  // background thread that obtains it when profiling.calibrate is on (joined at shutdown).
  KindRecord calibration_kind_{"switchyard.calibration", KindConfig{}, false, false, true};
  mutable std::mutex calibration_mutex_;
  std::unique_ptr<const Calibration> calibration_;  // guarded by calibration_mutex_
  std::string calibration_failure_;                 // guarded by calibration_mutex_
  std::atomic<const MachineModel*> machine_{nullptr};
  std::thread calibrator_;

  mutable Spinlock load_lock_;
  LoadView load_;  // guarded by load_lock_

  std::atomic<std::int64_t> live_{0};
  std::atomic<std::int64_t> peak_live_{0};
  std::atomic<bool> stopping_{false};
  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  std::mutex shutdown_mutex_;
  bool shut_down_ = false;
  ShutdownSummary summary_;  // guarded by summary_mutex_
  std::mutex summary_mutex_;
};

}  // namespace switchyard::detail
