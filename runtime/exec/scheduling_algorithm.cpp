#include "exec/scheduling_algorithm.hpp"

#include <utility>

#include "core/clock.hpp"
#include "core/runtime_core.hpp"
#include "exec/executor.hpp"
#include "exec/spin_wait.hpp"
#include "exec/worker.hpp"
#include "task/task.hpp"
#include "task/waiter.hpp"

namespace switchyard::detail {

namespace {
// Ready tasks run before this thread's own contexts, so a task switch does not detour
// through the dispatcher; but the dispatcher still runs at least every kPinnedEvery picks
// while it has work (fibers that finished, to release; wake-ups from other threads, to take
// in), and every kPinnedQuietEvery when it may have none (its plain fibers' sleeps end).
// Tasks that only wake each other then switch without its two extra switches in between.
constexpr unsigned kPinnedEvery = 8;
constexpr unsigned kPinnedQuietEvery = 64;
// A busy worker looks at its reactor (deadlines, readiness) every this many picks...
constexpr unsigned kPollEvery = 16;
// ...and takes from the shared queue before its own every this many, so neither starves...
constexpr unsigned kSharedFirstEvery = 61;
// ...and a fresh task from its own queue before the resumed ones every this many, so a stream
// of wake-ups does not hold spawned tasks back (LocalQueue).
constexpr unsigned kFreshFirstEvery = 127;
// A task in the run-next slot runs before the queue at most this many picks in a row; the
// next pick takes the queue's first. Tasks that keep waking each other share what would be
// one turn of the queue, as Go's runnext inherits its waker's time slice, and a task queued
// behind them waits this many of their switches at most.
constexpr unsigned kRunNextStreak = 16;
// An idle worker spinning before it sleeps in its reactor polls it without sleeping every this
// many turns (a few microseconds): a server's next readiness is the likeliest work to come,
// and the spin would otherwise only find it once over, in the sleeping poll.
constexpr unsigned kSpinPollEvery = 128;
}  // namespace

void SchedulingAlgorithm::awakened(boost::fibers::context* ctx) noexcept {
  // A task that yielded is seen first thing after the switch away from it; any other is woken,
  // by the task now running or (from the dispatcher) by another thread.
  const bool yielded = ctx == std::exchange(yielding_, nullptr);
  Task* task = Task::of(ctx);
  if (task == nullptr) {
    // This thread's main or dispatcher context, or a plain fiber a task started: it stays.
    ctx->ready_link(worker_.pinned);
    return;
  }
  ctx->detach();
  --worker_.attached;
  // What a yield hands over was not woken by the task now running: it takes no run-next slot.
  const bool on_task = worker_.on_task;
  if (yielded) worker_.on_task = false;
  if (Waiter* w = task->take_parking()) {
    w->parked();
  } else {
    task->runtime.make_ready(ctx);
  }
  worker_.on_task = on_task;
}

boost::fibers::context* SchedulingAlgorithm::pick_next() noexcept {
  // Boost asks from the context that stops. A task in its slice that is in none of Boost's
  // wait lists (a Future's, a join's) yielded: awakened() is called for it after the switch.
  // (One that slept in Boost's sleep queue would count as yielding until the next pick.)
  if (Task* prev = worker_.running) {
    boost::fibers::context* self = prev->context();
    yielding_ = self->wait_is_linked() ? nullptr : self;
  } else {
    yielding_ = nullptr;
    // A task that finished asks with its slice closed (RuntimeCore::run()); its context waits
    // for the dispatcher to free it.
    if (worker_.on_task) dispatcher_has_work_ = true;
  }
  worker_.on_task = false;
  Processor* p = worker_.executor.own_processor(worker_);
  ++worker_.picks;
  if (p != nullptr && p->reactor && worker_.picks % kPollEvery == 0 &&
      p->reactor->due(steady_ns())) {
    p->reactor->try_poll();
  }
  boost::fibers::context* next = nullptr;
  if (!worker_.pinned.empty() && worker_.picks % kPinnedEvery == 0 &&
      (dispatcher_has_work_ || remote_wake_.load(std::memory_order_relaxed) ||
       worker_.picks % kPinnedQuietEvery == 0)) {
    next = next_pinned();
  }
  if (next == nullptr) next = next_task(p);
  if (next == nullptr) next = next_pinned();
  switch_slices(next);
  worker_.on_task = worker_.running != nullptr;
  if (next != nullptr) worker_.executor.share_if_needed(worker_);
  return next;
}

SchedulingAlgorithm::SchedulingAlgorithm(Worker& worker) noexcept
    : worker_(worker), home_(boost::fibers::context::active()) {}

boost::fibers::context* SchedulingAlgorithm::next_task(Processor* p) noexcept {
  Executor& exec = worker_.executor;
  if (!takes_tasks(p)) return nullptr;
  const bool shared_first = worker_.picks % kSharedFirstEvery == 0;
  const bool fresh_first = worker_.picks % kFreshFirstEvery == 0;
  for (;;) {
    Task* task = nullptr;
    if (p != nullptr && !shared_first) task = next_own(*p, fresh_first);
    if (task == nullptr) task = exec.take(worker_);
    if (task == nullptr && p != nullptr && shared_first) task = next_own(*p, fresh_first);
    if (task == nullptr) task = exec.steal_run_next(worker_);
    if (task == nullptr) return nullptr;
    // A task queued before its kind moved (or a fresh one spawned in bulk before the first
    // measurements) goes where the kind is now, instead of running here.
    Executor& dest = task->runtime.executor_for(*task);
    if (&dest != &exec) {
      dest.submit(*task);
      continue;
    }
    boost::fibers::context* next = task->context();
    if (next == nullptr) next = task->runtime.launch(*task);
    if (next == nullptr) continue;  // it could not start, and failed
    home_->attach(next);
    ++worker_.attached;
    return next;
  }
}

// next_own() takes the task in p's run-next slot, unless it took it kRunNextStreak times in a
// row; then the queue's first (LocalQueue::pop()), else the slot's.
Task* SchedulingAlgorithm::next_own(Processor& p, bool fresh_first) noexcept {
  if (run_next_streak_ < kRunNextStreak) {
    Task* task = p.run_next.take();
    run_next_streak_ = task != nullptr ? run_next_streak_ + 1 : 0;
    return task != nullptr ? task : p.local.pop(fresh_first);
  }
  run_next_streak_ = 0;
  if (Task* task = p.local.pop(fresh_first)) return task;
  Task* task = p.run_next.take();
  if (task != nullptr) run_next_streak_ = 1;
  return task;
}

boost::fibers::context* SchedulingAlgorithm::next_pinned() noexcept {
  if (worker_.pinned.empty()) return nullptr;
  boost::fibers::context* next = &worker_.pinned.front();
  next->ready_unlink();
  if (next->is_context(boost::fibers::type::dispatcher_context)) {
    // It takes in whatever was notified before this, and frees every finished fiber.
    dispatcher_has_work_ = false;
    remote_wake_.store(false, std::memory_order_relaxed);
  }
  return next;
}

// The task that was running here has stopped (it suspended, yielded or finished: Boost asks
// for the next context exactly then); `next` starts. One clock reading serves both.
void SchedulingAlgorithm::switch_slices(boost::fibers::context* next) noexcept {
  Task* prev = worker_.running;
  Task* task = next != nullptr ? Task::of(next) : nullptr;
  // A task that just finished read the clocks as its last act; if a task is picked straight
  // after (nothing but the finished one's bookkeeping ran since), that reading opens its
  // slice too. Any other switch drops it.
  std::int64_t now = std::exchange(worker_.ended_ns, 0);
  ThreadUsage usage = std::exchange(worker_.ended_usage, ThreadUsage{});
  if (prev == nullptr && task == nullptr) return;
  const bool reuse = prev == nullptr && now != 0;
  const bool prev_measuring = prev != nullptr && prev->measuring();
  const bool measuring = prev_measuring || (task != nullptr && task->measuring());
  if (!reuse && (measuring || worker_.trace != nullptr)) {
    now = steady_ns();
    if (measuring) usage = thread_usage();  // a trace needs only the time
  }
  if (prev_measuring) prev->close_slice(now, usage);
  if (worker_.trace != nullptr) {
    if (prev != nullptr)
      worker_.trace->slice(prev->trace_id, prev->kind.name, worker_.trace_open_ns, now);
    worker_.trace_open_ns = now;
  }
  const bool close_counters = prev_measuring && prev->counted();
  // After the close above: a task picked again straight after its last measured slice is not.
  const bool open_counters = task != nullptr && task->measuring() && task->counted();
  if ((close_counters || open_counters) && worker_.counters) {
    // Read after the closing clocks and before the opening ones: its cost is no task's.
    const CounterSample reading = worker_.counters->read();
    if (close_counters) prev->close_counters(reading);
    if (open_counters) {
      task->open_counters(reading);
      now = steady_ns();
      usage = thread_usage();
    }
  }
  worker_.set_running(task);
  if (task != nullptr) {
    task->open_slice(now, usage, worker_.executor.placement());
    worker_.idle_since_ns = 0;
    // Only this thread writes it: a plain store, not a locked read-modify-write per switch.
    worker_.switches.store(worker_.switches.load(std::memory_order_relaxed) + 1,
                           std::memory_order_release);
  }
}

// A fiber-executor thread without a Processor runs no tasks; it only finishes its own. A
// retiring thread takes none either.
bool SchedulingAlgorithm::takes_tasks(const Processor* p) const noexcept {
  return !worker_.retiring && (p != nullptr || !worker_.executor.has_processors());
}

bool SchedulingAlgorithm::has_ready_fibers() const noexcept {
  if (!worker_.pinned.empty()) return true;
  const Processor* p = worker_.processor.load(std::memory_order_relaxed);
  if (p != nullptr && p->ready() > 0) return true;
  return takes_tasks(p) && worker_.executor.has_work(worker_);
}

void SchedulingAlgorithm::suspend_until(
    std::chrono::steady_clock::time_point const& deadline) noexcept {
  Executor& exec = worker_.executor;
  Processor* p = exec.own_processor(worker_);
  if (!takes_tasks(p)) {
    if (worker_.idle_since_ns == 0) worker_.idle_since_ns = steady_ns();
    worker_.parker.park_until(deadline);
    return;
  }
  // Announce idleness before the last look, so a submitter either sees this worker idle or
  // this worker sees its task (both sides use sequentially consistent operations).
  exec.mark_idle(worker_);
  if (exec.has_work(worker_)) {
    exec.unmark_idle(worker_);
    return;
  }
  if (worker_.idle_since_ns == 0) worker_.idle_since_ns = steady_ns();
  if (p != nullptr && p->reactor) {
    // The reactor's sleep is an epoll_wait; it spins first, as the parker does. Work found
    // while spinning is taken at once; a wake-up, by a poll that then does not sleep.
    // Other queues are looked at every 16th turn: on a machine of many cores, idle workers
    // reading every queue's size at each turn would keep its cache line moving.
    Reactor& r = *p->reactor;
    bool work = false;
    unsigned turn = 0;
    spin_wait(
        [&] {
          if (r.woken()) return true;
          if (++turn % kSpinPollEvery == 0) r.try_poll();
          return turn % 16 == 0 && (work = exec.has_work(worker_));
        },
        deadline);
    if (work) {
      exec.unmark_idle(worker_);
      return;
    }
    r.poll(deadline);
    // A fiber worker leaves idle: the monitor, which may doze while every one is idle, watches
    // closely again.
    exec.runtime().monitor_bell().ring();
  } else {
    worker_.parker.park_until(deadline);
  }
  exec.unmark_idle(worker_);
}

void SchedulingAlgorithm::notify() noexcept {
  // Boost notifies once it has queued a context woken from another thread for the dispatcher.
  remote_wake_.store(true, std::memory_order_relaxed);
  worker_.unpark();
}

}  // namespace switchyard::detail
