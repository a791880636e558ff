#include "runtime_core.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

#include <boost/fiber/context.hpp>

#include <switchyard/detail/timeout.hpp>
#include <switchyard/errors.hpp>
#include <switchyard/policy_factory.hpp>

#include "clock.hpp"
#include "file_limit.hpp"
#include "handoff_measure.hpp"
#include "logger.hpp"
#include "overflow_handler.hpp"
#include "remote_task.hpp"
#include "shard/local_transport.hpp"
#include "shard/mpi_job.hpp"
#include "task.hpp"
#include "task_context.hpp"
#include "worker.hpp"

namespace switchyard::detail {

namespace {

// Stacks beyond this many free ones give their pages back to the kernel.
constexpr std::size_t kHotStacks = 1024;
// Threads the fiber executor may add to take over Processors from blocked threads.
constexpr std::size_t kSpareThreads = 64;
// How many placement changes a kind keeps for its report.
constexpr std::size_t kHistoryLimit = 64;
// How many task slices a trace keeps (32 bytes each); docs/report.md says so.
constexpr std::size_t kTraceSlices = 1'000'000;

std::size_t or_cores(std::uint32_t configured, const Topology& topology) {
  return configured != 0 ? configured : topology.core_count();
}

// failure() makes the error a future resolves with, from the parts of its message; with no
// memory for the message, the bad_alloc instead. Never throws: it runs on noexcept paths.
template <class Error, class... Parts>
std::exception_ptr failure(const Parts&... parts) noexcept {
  try {
    std::string message;
    (message.append(std::string_view(parts)), ...);
    return std::make_exception_ptr(Error(message));
  } catch (...) {
    return std::current_exception();
  }
}

// plan_counters() decides the configured counters, down the chain SWITCHYARD_COUNTERS starts.
CounterPlan plan_counters(const ProfilingConfig& profiling) {
  CounterOptions options = CounterOptions::from_environment();
  options.events = profiling.counters;
  return CounterPlan::decide(options);
}

// saying_why() writes a file at shutdown with `write`; if it cannot, stderr says why (the error
// names the file) and shutdown goes on.
template <class Write>
void saying_why(Write&& write) noexcept {
  try {
    write();
  } catch (const std::exception& e) {
    log(LogLevel::warning, "shutdown_write_failed", {}, "{}", e.what());
  }
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
               reconsider(kind);
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

void RuntimeCore::calibrate_in_background() noexcept {
  try {
    calibrate(false);
  } catch (const std::exception& error) {
    std::lock_guard lk(calibration_mutex_);
    calibration_failure_ = error.what();
  } catch (...) {
    std::lock_guard lk(calibration_mutex_);
    calibration_failure_ = "an unknown exception";
  }
}

bool RuntimeCore::on_own_worker() const noexcept {
  const Worker* w = Worker::current();
  return w != nullptr && &w->executor.runtime() == this;
}

Calibration RuntimeCore::calibrate(bool recalibrate) {
  if (on_own_worker()) {
    throw std::logic_error("switchyard: Runtime::calibrate() called from one of its own tasks");
  }
  CalibrationOptions options;
  options.switchyard_version = SWITCHYARD_VERSION;
  options.recalibrate = recalibrate;
  for (const Placement pool : {Placement::cpu, Placement::blocking}) {
    options.measures.emplace(handoff_figure(pool), handoff_measure(*this, calibration_kind_, pool));
  }
  Calibration result = switchyard::calibrate(topology_, options);
  // Shards on other ranks of an MPI job cost what their transport measured, this run: not
  // what a process on this machine does, and not for the cache.
  if (shards_) {
    if (const std::optional<double> ns = shards_->round_trip_ns(std::chrono::seconds(1))) {
      result.model.process_round_trip_ns =
          Figure::measured(*ns, "round trip to another rank of the MPI job, median of pings");
    }
  }
  std::lock_guard lk(calibration_mutex_);
  if (!calibration_) {
    calibration_ = std::make_unique<const Calibration>(result);
    machine_.store(&calibration_->model, std::memory_order_release);
  }
  return result;
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
  start(kind, sample, sample.pin.value_or(kind.current.load()), body);
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
  const std::optional<Placement> pin = hint.placement ? hint.placement : kind.take_trial(seq);
  const bool trial = pin && !hint.placement;
  // Only a task that runs where its kind does can settle the kind's profile.
  const bool runs_home = !pin || *pin == kind.current.load(std::memory_order_relaxed);
  const ProfilingConfig& prof = config_.profiling;
  // Every task during warm-up is measured and counted; after it, the last of every
  // sample_every is measured (not the first, so a kind configured never to be sampled has
  // no measured task at all), and of those the last of every count_every is counted. A
  // policy's trial, and every task that runs where its kind does while the kind's profile is
  // unsettled, is measured too.
  const std::uint64_t measure_every = std::max<std::uint32_t>(1, prof.sample_every);
  const std::uint64_t count_every = measure_every * std::max<std::uint32_t>(1, prof.count_every);
  const std::uint64_t after_warmup = seq < prof.warmup ? 0 : seq - prof.warmup + 1;
  const bool measured =
      !kind.internal && (trial || (runs_home && kind.unsettled.load(std::memory_order_relaxed)) ||
                         after_warmup % measure_every == 0);
  return {measured, measured && after_warmup % count_every == 0, pin};
}

void RuntimeCore::submit(std::string_view name, const Hint& hint, RegisteredCall& call) {
  KindRecord* found = nullptr;
  try {
    found = &kinds_.get(name);
  } catch (...) {
    TaskBody* body = call.make_local();
    body->cancel(std::current_exception());
    body->release();
    return;
  }
  KindRecord& kind = *found;
  const Sampling sample = sampling(kind, kind.isolated ? on(Placement::shard) : hint);
  const Placement target = sample.pin.value_or(kind.current.load());
  if (target != Placement::shard) {
    start(kind, sample, target, call.make_local());
    return;
  }
  std::string arguments;
  RemoteResult& result = *call.make_remote(arguments);
  live_.fetch_add(1, std::memory_order_seq_cst);
  auto refuse = [&](std::exception_ptr why) {
    if (why) result.reject(std::move(why));
    result.publish();
    result.release();
    end_task();
  };
  if (stopping_.load(std::memory_order_seq_cst)) {
    refuse(failure<RuntimeStopped>(
        "switchyard: a '", kind.name,
        "' call was submitted after the runtime began to shut down; it did not run"));
    return;
  }
  if (result.failed()) {  // its arguments did not encode
    refuse(nullptr);
    return;
  }
  if (!kind.shardable) {
    refuse(failure<ShardCallRejected>(
        "switchyard: '", kind.name,
        "' cannot run in a shard: it was registered after the runtime started (a library loaded "
        "later?), and shards run the tasks registered by then"));
    return;
  }
  std::unique_ptr<RemoteTask> job;
  try {
    job = std::make_unique<RemoteTask>(*this, kind, result, sample.measured, steady_ns());
    job->task = kind.name;
    job->idempotent = kind.idempotent;
    append_frame(job->frame, FrameType::call, 0, name, arguments);
  } catch (const FrameError& e) {
    refuse(failure<ShardCallRejected>("switchyard: a '", kind.name,
                                      "' call cannot be sent: ", e.what()));
    return;
  } catch (...) {
    refuse(std::current_exception());
    return;
  }
  kind.inflight.fetch_add(1, std::memory_order_relaxed);
  shards_->submit(job.release());
}

bool RemoteTask::answered(Frame&& answer) noexcept {
  return core.finish_remote(*this, &answer, nullptr);
}

void RemoteTask::failed(std::exception_ptr error) noexcept {
  core.finish_remote(*this, nullptr, std::move(error));
}

bool RuntimeCore::finish_remote(RemoteTask& call, Frame* answer,
                                std::exception_ptr error) noexcept {
  const std::unique_ptr<RemoteTask> owned(&call);
  KindRecord& kind = call.kind;
  RemoteResult& result = call.result;
  bool decoded = true;
  if (answer == nullptr) {
    result.reject(std::move(error));
  } else if (answer->type == FrameType::result) {
    decoded = result.accept(answer->payload, kind.name);
  } else if (answer->type == FrameType::failure) {
    try {
      result.reject(std::make_exception_ptr(ShardTaskError(answer->text, answer->payload)));
    } catch (...) {
      result.reject(std::current_exception());
    }
  } else {
    result.reject(failure<ShardCallRejected>("switchyard: a shard did not run a '", kind.name,
                                             "' call: ", answer->payload));
  }
  if (trace_ && answer != nullptr) {
    const std::int64_t now = steady_ns();
    const std::int64_t ran = std::clamp<std::int64_t>(static_cast<std::int64_t>(answer->run_ns), 0,
                                                      now - call.submitted_ns);
    trace_->shard_call(call.shard(), trace_->next_task(), kind.name, now - ran, now);
  }
  std::optional<TaskSample> sample;
  if (call.measured && answer != nullptr) {
    using std::chrono::nanoseconds;
    const auto wall = std::max<std::int64_t>(0, steady_ns() - call.submitted_ns);
    // The shard's figures are unsigned on the wire: one from a corrupt frame is clamped.
    auto within = [](std::uint64_t ns, std::int64_t most) {
      return static_cast<std::int64_t>(
          std::min<std::uint64_t>(ns, static_cast<std::uint64_t>(most)));
    };
    const std::int64_t run = within(answer->run_ns, wall);
    const std::int64_t cpu = within(answer->cpu_ns, run);
    const std::int64_t blocked = within(answer->blocked_ns, run - cpu);
    // Queued: in the shard's queue, or preempted while it ran, as for a task in this process.
    sample = TaskSample{Placement::shard,
                        nanoseconds{wall},
                        nanoseconds{cpu},
                        nanoseconds{blocked},
                        nanoseconds{0},
                        nanoseconds{wall - cpu - blocked},
                        0,
                        result.failed(),
                        std::nullopt};
  }
  account(kind, sample, result.failed(), false, answer == nullptr ? error : nullptr);
  result.publish();
  result.release();
  kind.inflight.fetch_sub(1, std::memory_order_relaxed);
  end_task();
  return decoded;
}

Executor& RuntimeCore::executor_for(const Task& task) noexcept {
  const Placement p = task.destination();
  return executor(p == Placement::shard ? task.where() : p);
}

void RuntimeCore::run(Task& task) noexcept {
  const bool cancelled = cancel_.raised();
  if (cancelled) {
    task.body->cancel(
        failure<TaskCancelled>("switchyard: a '", task.kind.name,
                               "' task was cancelled: the runtime shut down before it started"));
  } else {
    task.body->compute();
  }
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
  if (task.measured && !cancelled) {
    sample = task.sample(failed);
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
    kind.profile.add(*sample, kind.current.load());
    if (config_.profiling.follow_changes) {
      kind.unsettled.store(kind.profile.unsettled(), std::memory_order_relaxed);
    }
    policy_->observe(state_of(kind), *sample);
    reconsider(kind);
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

KindState RuntimeCore::state_of(const KindRecord& kind) const noexcept {
  return {kind.name,
          kind.profile,
          kind.current.load(),
          kind.pinned,
          kind.inflight.load(std::memory_order_relaxed),
          kind.recently_stalled(),
          kind.shardable};
}

void RuntimeCore::reconsider(KindRecord& kind) noexcept {
  const KindState state = state_of(kind);
  const Decision d = policy_->place(state, *this);
  kind.set_trial(d.trial);
  if (d.placement == state.current) return;
  if (d.placement == Placement::shard && !state.shardable) return;  // a callable cannot cross
  if (kind.history.size() == kHistoryLimit) kind.history.erase(kind.history.begin());
  try {
    kind.history.push_back({std::chrono::nanoseconds{since_start(steady_ns())}, state.current,
                            d.placement, std::string(d.rule), d.measured, d.threshold});
  } catch (const std::bad_alloc&) {
    // The move matters more than its record.
  }
  kind.current.store(d.placement);
  kind.profile.moved();
}

void RuntimeCore::retune() noexcept {
  Executor& blocking = executor(Placement::blocking);
  const PoolSizes now{blocking.keep()};
  blocking.set_keep(policy_->retune(load(), now).blocking_keep);
}

LoadView RuntimeCore::load() const noexcept {
  std::lock_guard lk(load_lock_);
  return load_;
}

void RuntimeCore::refresh_load() noexcept {
  const LoadView fresh = read_load();
  std::lock_guard lk(load_lock_);
  load_ = fresh;
}

LoadView RuntimeCore::read_load() const noexcept {
  LoadView view;
  for (const auto& e : executors_) view[e->placement()] = e->load();
  if (shards_) {
    // Shards start with the first call: until then a policy counts every slot as one.
    const ShardPool::Load l = shards_->load();
    ExecutorLoad& shard = view[Placement::shard];
    shard.workers = l.slots;
    shard.busy = std::min(l.inflight, l.slots);
    shard.queued = l.inflight - shard.busy;
  }
  return view;
}

void RuntimeCore::end_task() noexcept {
  if (live_.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
      stopping_.load(std::memory_order_seq_cst)) {
    std::lock_guard lk(done_mutex_);
    done_cv_.notify_all();
  }
}

void RuntimeCore::make_ready(boost::fibers::context* ctx) noexcept {
  Task& task = *Task::of(ctx);
  if (task.measuring()) task.on_ready(steady_ns());
  executor_for(task).schedule(task);
}

void RuntimeCore::cancel_waits() noexcept {
  cancel_.raise();
  for (const auto& p : executor(Placement::fiber).processors()) p->reactor->cancel_all();
  if (shards_) {
    shards_->close(failure<TaskCancelled>(
        "switchyard: a shard call was cancelled: the runtime shut down before it was answered"));
  }
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
  kind.mark_stalled();
  policy_->stalled(state_of(kind));
  reconsider(kind);
}

ShutdownSummary RuntimeCore::shutdown(std::chrono::milliseconds grace) {
  if (on_own_worker()) {
    throw std::logic_error("switchyard: Runtime::shutdown() called from one of its own tasks");
  }
  std::lock_guard guard(shutdown_mutex_);
  if (shut_down_) {
    std::lock_guard summary_lock(summary_mutex_);
    return summary_;
  }
  stopping_.store(true, std::memory_order_seq_cst);
  std::unique_lock lk(done_mutex_);
  auto all_done = [this] { return live_.load(std::memory_order_seq_cst) == 0; };
  if (!done_cv_.wait_until(lk, deadline_after(grace), all_done)) {
    lk.unlock();  // cancelling finishes shard calls at once, and finishing takes done_mutex_
    cancel_waits();
    lk.lock();
    while (!done_cv_.wait_for(lk, std::chrono::seconds(5), all_done)) {
      const auto live = live_.load();
      log(LogLevel::warning, "shutdown_waiting", {{"tasks", std::to_string(live)}},
          "switchyard: shutdown is waiting for {} task(s) still running user code", live);
    }
  }
  lk.unlock();
  // No task runs any more: one report serves the report file now and the trace's moves later.
  const std::optional<Report> last = final_report();
  if (last && !config_.profiling.report.empty()) {
    saying_why([&] { last->save(config_.profiling.report); });
  }
  if (shards_) shards_->stop();
  // New probing tasks now fail at once; what is left of a calibration is built-in
  // microbenchmarks, a few hundred milliseconds at most.
  if (calibrator_.joinable()) calibrator_.join();
  monitor_.reset();
  for (auto& e : executors_) e->stop();
  if (last && trace_) saying_why([&] { trace_->write(config_.profiling.trace, *last); });
  shut_down_ = true;
  std::lock_guard summary_lock(summary_mutex_);
  return summary_;
}

std::optional<Report> RuntimeCore::final_report() const noexcept {
  if (config_.profiling.report.empty() && !trace_) return std::nullopt;
  try {
    return report();
  } catch (const std::exception& e) {
    log(LogLevel::warning, "shutdown_write_failed", {},
        "switchyard: no report or trace written at shutdown: {}", e.what());
    return std::nullopt;
  }
}

Report RuntimeCore::report() const {
  Report r;
  r.policy = std::string(policy_->name());
  r.uptime = std::chrono::nanoseconds{since_start(steady_ns())};
  r.machine = {topology_.cpu_model(),  topology_.packages(),         topology_.numa_nodes(),
               topology_.core_count(), topology_.hardware_threads(), topology_.source(),
               topology_.caches()};
  kinds_.for_each([&](KindRecord& k) {
    Report::KindReport kr;
    kr.name = k.name;
    kr.placement = k.current.load();
    kr.pinned = k.pinned.has_value();
    kr.first_seen = std::chrono::nanoseconds{k.first_seen_ns};
    kr.spawned = k.spawned.load();
    kr.finished = k.finished.load();
    kr.failed = k.failed.load();
    kr.task_migrations = k.task_migrations.load();
    kr.stalls = k.stalls.load();
    std::lock_guard lk(k.mutex);
    const KindProfile& p = k.profile;
    kr.measured = p.count();
    kr.cpu_share = p.cpu_share();
    kr.blocked_share = p.blocked_share();
    kr.wait_share = p.wait_share();
    kr.queued_share = p.queued_share();
    // Over every task, as the shares above: the profile's own active shares are its recent
    // tasks' on the kind's current executor, for its policy.
    const KindProfile::Totals& t = p.totals();
    kr.active_cpu_share = t.of_active(t.cpu);
    kr.active_blocked_share = t.of_active(t.blocked);
    kr.active_wait_share = t.of_active(t.wait);
    kr.wall_p50 = p.wall_quantile(0.5);
    kr.wall_p99 = p.wall_quantile(0.99);
    kr.mean_wall = p.mean_wall();
    kr.mean_cpu = p.mean_cpu();
    kr.wall_histogram = p.wall_histogram().buckets();
    kr.history = k.history;
    kr.counted = p.counted();
    const CounterSample& totals = p.counter_totals();
    if (kr.counted > 0 && totals.has(CounterSample::kEvents)) {
      for (const PlannedEvent& e : counter_plan_.events()) {
        if (!e.live || e.slot >= totals.event_count) continue;
        kr.counters_per_task.emplace_back(e.requested, static_cast<double>(totals.events[e.slot]) /
                                                           static_cast<double>(kr.counted));
      }
    }
    kr.ipc = ipc(totals);
    kr.cache_misses_per_kilo_instruction = cache_misses_per_kilo_instruction(totals);
    kr.context_switches_per_task = context_switches_per_task(totals, kr.counted);
    r.kinds.push_back(std::move(kr));
  });
  for (const auto& e : executors_) {
    const ExecutorLoad l = e->load();
    r.executors.push_back(
        {e->placement(), l.workers, e->max_workers(), e->slices(), e->handoffs(), 0});
  }
  if (shards_) {
    const ShardPool::Load l = shards_->load();
    r.executors.push_back({Placement::shard, l.live, l.slots, l.answered, 0, l.restarts});
  }
  r.open_files = open_files_;
  const StackPool::Usage stacks = stacks_.usage();
  r.memory.live_tasks = static_cast<std::uint64_t>(std::max<std::int64_t>(0, live_.load()));
  r.memory.peak_live_tasks = static_cast<std::uint64_t>(peak_live_.load());
  r.memory.started_tasks = stacks.in_use;
  r.memory.peak_started_tasks = stacks.peak_in_use;
  r.memory.stack_resident_bytes = stacks.resident_bytes;
  r.memory.stack_bytes = stacks_.stack_bytes();
  kinds_.for_each([&](KindRecord& k) {
    r.memory.record_bytes += std::uint64_t{k.inflight.load(std::memory_order_relaxed)} *
                             (sizeof(Task) + k.body_bytes.load(std::memory_order_relaxed));
  });
  {
    std::lock_guard lk(calibration_mutex_);
    if (calibration_) {
      r.calibration = {std::string(to_string(calibration_->cache)), calibration_->model};
    } else if (!calibration_failure_.empty()) {
      r.calibration.state = "failed: " + calibration_failure_;
    } else {
      r.calibration.state = config_.profiling.calibrate ? "running" : "off";
    }
  }
  r.counters = {counter_plan_.papi(),
                std::string(to_string(counter_plan_.mode())) + ", " + counter_plan_.mode_origin(),
                counter_plan_.events(), counter_plan_.notes()};
  return r;
}

}  // namespace switchyard::detail
