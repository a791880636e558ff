#include "core/runtime_core.hpp"

#include <algorithm>
#include <string>

#include <boost/fiber/context.hpp>

#include <switchyard/errors.hpp>
#include <switchyard/policy_factory.hpp>

#include "core/clock.hpp"
#include "core/logger.hpp"
#include "exec/worker.hpp"
#include "fiber/overflow_handler.hpp"
#include "io/file_limit.hpp"
#include "shard/local_transport.hpp"
#include "shard/mpi_job.hpp"
#include "task/remote_task.hpp"
#include "task/task.hpp"
#include "task/task_context.hpp"
#include "task/task_failure.hpp"

namespace switchyard::detail {

namespace {

// Stacks beyond this many free ones give their pages back to the kernel.
constexpr std::size_t kHotStacks = 1024;
// Threads the fiber executor may add to take over Processors from blocked threads.
constexpr std::size_t kSpareThreads = 64;
// How many task slices a trace keeps (32 bytes each); docs/report.md says so.
constexpr std::size_t kTraceSlices = 1'000'000;

std::size_t or_cores(std::uint32_t configured, const Topology& topology) {
  return configured != 0 ? configured : topology.core_count();
}

// plan_counters() decides the configured counters, down the chain SWITCHYARD_COUNTERS starts.
CounterPlan plan_counters(const ProfilingConfig& profiling) {
  CounterOptions options = CounterOptions::from_environment();
  options.events = profiling.counters;
  return CounterPlan::decide(options);
}

bool is_cancellation(const std::exception_ptr& error) {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const TaskCancelled&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace

RuntimeCore::RuntimeCore(Config config, std::unique_ptr<Policy> policy)
    : config_(std::move(config)),
      topology_(Topology::discover()),
      counter_plan_(plan_counters(config_.profiling)),
      start_ns_(steady_ns()),
      stacks_(std::size_t{config_.executors.stack_kib} * 1024, kHotStacks),
      trace_(config_.profiling.trace.empty() ? nullptr
                                             : std::make_unique<Trace>(start_ns_, kTraceSlices)),
      policy_(policy ? std::move(policy) : make_policy(config_)),
      tasks_(TaskTable::snapshot()),
      kinds_(config_, tasks_,
             [this](KindRecord& kind) {
               kind.first_seen_ns = since_start(steady_ns());
               std::lock_guard lk(kind.mutex);
               kind.governor.decide(counsel(kind));
             }),
      open_files_(raise_open_file_limit()) {
  const ExecutorsConfig& ex = config_.executors;
  if (const std::optional<MpiPlace> place = mpi_place()) {
    // Started by mpirun: the other ranks are the shards, and serve from here on (docs/mpi.md).
    if (place->rank > 0) serve_mpi_rank(*place, tasks_);
    shards_ = std::make_unique<ShardPool>(make_mpi_transport(*place), ex.shard_inflight);
  } else if (!tasks_.empty()) {
    shards_ = std::make_unique<ShardPool>(
        std::make_unique<LocalTransport>(or_cores(ex.shards, topology_), tasks_, topology_),
        ex.shard_inflight);
  }
  Executor::Options fiber;
  fiber.placement = Placement::fiber;
  fiber.min_workers = or_cores(ex.fiber_workers, topology_);
  fiber.max_workers = fiber.min_workers + kSpareThreads;
  fiber.processors = true;
  fiber.reactors = true;
  fiber.pin = ex.pin_fiber_workers;
  fiber.idle_timeout = ex.blocking_idle;

  Executor::Options cpu;
  cpu.placement = Placement::cpu;
  cpu.min_workers = cpu.max_workers = or_cores(ex.cpu_threads, topology_);
  cpu.processors = true;
  cpu.pin = ex.pin_cpu_threads;

  Executor::Options blocking;
  blocking.placement = Placement::blocking;
  blocking.min_workers = ex.blocking_min;
  blocking.max_workers = std::max<std::size_t>({1, ex.blocking_min, ex.blocking_max});
  blocking.idle_timeout = ex.blocking_idle;

  for (const auto& options : {fiber, cpu, blocking}) {
    executors_[index_of(options.placement)] = std::make_unique<Executor>(*this, topology_, options);
  }
  install_overflow_handler();  // before any task runs on a pooled stack
  for (auto& e : executors_) e->start();
  refresh_load();
  monitor_ = std::make_unique<Monitor>(*this, executor(Placement::fiber), monitor_bell_,
                                       ex.stall_threshold, ex.watchdog);
  if (config_.profiling.calibrate) calibrator_ = std::thread([this] { calibrate_in_background(); });
}

bool RuntimeCore::on_own_worker() const noexcept {
  const Worker* w = Worker::current();
  return w != nullptr && &w->executor.runtime() == this;
}

RuntimeCore::~RuntimeCore() {
  shutdown(config_.executors.shutdown_grace);
}

void RuntimeCore::submit(std::string_view kind_name, const Hint& hint, TaskBody* body) noexcept {
  KindRecord* kind = nullptr;
  try {
    kind = &kinds_.get(kind_name);
  } catch (...) {
    body->cancel(std::current_exception());
    body->release();
    return;
  }
  submit(*kind, hint, body);
}

void RuntimeCore::submit(KindRecord& kind, const Hint& hint, TaskBody* body) noexcept {
  const Sampling sample = sampling(kind, hint);
  start(kind, sample, sample.pin.value_or(kind.governor.current()), body);
}

void RuntimeCore::start(KindRecord& kind, const Sampling& sample, Placement target,
                        TaskBody* body) noexcept {
  const std::int64_t live = live_.fetch_add(1, std::memory_order_seq_cst) + 1;
  // Read-mostly: only a new peak writes it.
  std::int64_t peak = peak_live_.load(std::memory_order_relaxed);
  while (live > peak && !peak_live_.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
  }
  if (const auto bytes = static_cast<std::uint32_t>(body->bytes());
      kind.body_bytes.load(std::memory_order_relaxed) != bytes) {
    kind.body_bytes.store(bytes, std::memory_order_relaxed);
  }
  kind.inflight.fetch_add(1, std::memory_order_relaxed);
  if (stopping_.load(std::memory_order_seq_cst)) {
    abandon(kind, body,
            failure<RuntimeStopped>(
                "switchyard: a '", kind.name,
                "' task was spawned after the runtime began to shut down; it did not run"));
    return;
  }
  Task* task = nullptr;
  try {
    task = new Task(*this, kind, body, target, sample.pin.has_value(), sample.measured,
                    sample.counted, sample.measured ? steady_ns() : 0);
  } catch (...) {
    abandon(kind, body, std::current_exception());
    return;
  }
  if (trace_) task->trace_id = trace_->next_task();
  executor(target).schedule(*task);
}

boost::fibers::context* RuntimeCore::launch(Task& task) noexcept {
  try {
    auto ctx = make_task_context(
        stacks_,
        [](void* arg) {
          Task& started = *static_cast<Task*>(arg);
          started.runtime.run(started);
        },
        &task);
    boost::fibers::context* raw = ctx.get();
    task.started_on(raw);  // the context owns the Task from here on
    ctx.reset();           // the context keeps itself alive until it terminates
    return raw;
  } catch (...) {
    // Not failed here: this runs inside the worker's scheduler, where resolving a future
    // (waking its waiters, destroying the callable) must not happen.
    task.launch_error = std::current_exception();
    unlaunched_.push(task);
    monitor_bell_.ring();
    return nullptr;
  }
}

void RuntimeCore::fail_unlaunched() noexcept {
  while (Task* task = unlaunched_.pop()) {
    KindRecord& kind = task->kind;
    TaskBody* body = task->body;
    std::exception_ptr why = std::move(task->launch_error);
    delete task;
    abandon(kind, body, std::move(why));
  }
}

void RuntimeCore::abandon(KindRecord& kind, TaskBody* body, std::exception_ptr why) noexcept {
  kind.inflight.fetch_sub(1, std::memory_order_relaxed);
  body->cancel(std::move(why));
  body->release();
  end_task();
}

RuntimeCore::Sampling RuntimeCore::sampling(KindRecord& kind, const Hint& hint) noexcept {
  const std::uint64_t seq = kind.spawned.fetch_add(1, std::memory_order_relaxed);
  // A hinted task goes where its hint says; any other may be one of the policy's trials,
  // which are always measured: measuring them is their point.
  const std::optional<Placement> pin =
      hint.placement ? hint.placement : kind.governor.take_trial(seq);
  const bool trial = pin && !hint.placement;
  // Only a task that runs where its kind does can settle the kind's profile.
  const bool runs_home = !pin || *pin == kind.governor.current();
  const ProfilingConfig& prof = config_.profiling;
  // Every task during warm-up is measured and counted; after it, the last of every
  // sample_every is measured (not the first, so a kind configured never to be sampled has
  // no measured task at all), and of those the last of every count_every is counted. A
  // policy's trial, and every task that runs where its kind does while the kind's profile is
  // unsettled, is measured too.
  const std::uint64_t measure_every = std::max<std::uint32_t>(1, prof.sample_every);
  const std::uint64_t count_every = measure_every * std::max<std::uint32_t>(1, prof.count_every);
  const std::uint64_t after_warmup = seq < prof.warmup ? 0 : seq - prof.warmup + 1;
  const bool measured = !kind.internal && (trial || (runs_home && kind.governor.unsettled()) ||
                                           after_warmup % measure_every == 0);
  return {measured, measured && after_warmup % count_every == 0, pin};
}

Executor& RuntimeCore::executor_for(const Task& task) noexcept {
  const Placement p = task.destination();
  return executor(p == Placement::shard ? task.where() : p);
}

void RuntimeCore::run(Task& task) noexcept {
  // start() first: a task cancelled from its future before this never runs.
  const bool withdrawn = !task.body->cancellation.start();
  const bool cancelled = withdrawn || cancel_.raised();
  if (cancelled) {
    task.body->cancel(failure<TaskCancelled>(
        "switchyard: a '", task.kind.name, "' task was cancelled",
        withdrawn ? " before it started" : ": the runtime shut down before it started"));
  } else {
    task.body->compute();
    if (task.locals) task.locals->clear();
    task.body->drop_callable();
  }
  // The interrupt its reactor waits left registered names this Task, which ends here.
  task.body->cancellation.end();
  // Close the last slice here: from now on the fiber only unwinds.
  Worker* w = Worker::current();
  const bool measuring = task.measuring();
  if (measuring) {
    w->ended_ns = steady_ns();
    w->ended_usage = thread_usage();
    task.close_slice(w->ended_ns, w->ended_usage);
  }
  if (w->trace != nullptr) {
    w->trace->slice(task.trace_id, task.kind.name, w->trace_open_ns,
                    measuring ? w->ended_ns : steady_ns());
  }
  if (measuring && task.counted() && w->counters) {
    // After the closing clocks, so the task does not pay for it; the next slice reads afresh.
    task.close_counters(w->counters->read());
    w->ended_ns = 0;
  }
  w->set_running(nullptr);
  --w->attached;
  finish(task, cancelled);
}

void RuntimeCore::finish(Task& task, bool cancelled) noexcept {
  KindRecord& kind = task.kind;
  const bool failed = !cancelled && task.body->failed();
  std::optional<TaskSample> sample;
  // A failed task ran its error's path, often a short cut that says nothing of where the
  // kind's tasks belong: 200 connections reset by their peers made an echo server's connection
  // kind look CPU-bound and moved it to the CPU pool, where each later connection held a pool
  // thread in its read. Only tasks that succeeded inform the policy (and the kind's profile).
  if (task.measured() && !cancelled && !failed) {
    sample = task.sample();
    // A thread whose counters failed to open reads no events: its task goes uncounted rather
    // than voiding the events of every task of its kind.
    if (sample->counters && counter_plan_.live_count() > 0 &&
        !sample->counters->has(CounterSample::kEvents)) {
      sample->counters.reset();
    }
  }
  if (task.migrations() != 0) kind.task_migrations.fetch_add(task.migrations());
  account(kind, sample, failed, cancelled, task.body->error());
  if (!cancelled) task.body->publish();
  task.body->release();
  kind.inflight.fetch_sub(1, std::memory_order_relaxed);
  end_task();
}

void RuntimeCore::account(KindRecord& kind, const std::optional<TaskSample>& sample, bool failed,
                          bool cancelled, const std::exception_ptr& error) noexcept {
  if (sample) {
    std::lock_guard lk(kind.mutex);
    kind.governor.finished(*sample, counsel(kind));
  }
  kind.finished.fetch_add(1, std::memory_order_relaxed);
  if (failed) kind.failed.fetch_add(1, std::memory_order_relaxed);
  if (stopping_.load(std::memory_order_acquire) && !kind.internal) {
    // Only while stopping: telling a cancellation from another error rethrows it.
    const bool unwound = cancelled || is_cancellation(error);
    std::lock_guard lk(summary_mutex_);
    try {
      auto& counts = summary_.kinds[kind.name];
      ++(unwound ? counts.cancelled : counts.finished);
    } catch (const std::bad_alloc&) {
      // The summary loses a count; the task's future still resolves.
    }
  }
}

Counsel RuntimeCore::counsel(const KindRecord& kind) noexcept {
  return {*policy_, *this, std::chrono::nanoseconds{since_start(steady_ns())},
          kind.inflight.load(std::memory_order_relaxed)};
}

void RuntimeCore::make_ready(boost::fibers::context* ctx) noexcept {
  Task& task = *Task::of(ctx);
  if (task.measuring()) task.on_ready(steady_ns());
  executor_for(task).schedule(task);
}

void RuntimeCore::on_stall(KindRecord& kind, const Worker& w, bool blocked) noexcept {
  kind.stalls.fetch_add(1, std::memory_order_relaxed);
  if (trace_ && w.trace != nullptr) trace_->stall(*w.trace, kind.name, steady_ns(), blocked);
  log(LogLevel::info, "stall",
      {{"kind", kind.name},
       {"executor", to_string(w.executor.placement())},
       {"worker", std::to_string(w.index)},
       {"blocked", blocked ? "true" : "false"}},
      "switchyard: kind '{}' held fiber worker {} past the stall threshold ({})", kind.name,
      w.index, blocked ? "blocked in the OS" : "computing or waiting on a lock");
  if (!blocked) return;
  std::lock_guard lk(kind.mutex);
  kind.governor.stalled(counsel(kind));
}

}  // namespace switchyard::detail
