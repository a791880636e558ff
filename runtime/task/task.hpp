// Task: the runtime's record of one spawned task: queued alone, then carried by its fiber
// context once it starts.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <utility>

#include <boost/fiber/context.hpp>
#include <boost/fiber/properties.hpp>
#include <boost/intrusive/list.hpp>
#include <boost/intrusive/list_hook.hpp>

#include <switchyard/counter_sample.hpp>
#include <switchyard/detail/task_body.hpp>
#include <switchyard/placement.hpp>
#include <switchyard/task_sample.hpp>
#include <switchyard/wait_cause.hpp>

#include "core/clock.hpp"
#include "core/kind_record.hpp"
#include "fiber/fiber_tsan.hpp"
#include "io/reactor_wait.hpp"
#include "task/task_locals.hpp"

namespace switchyard {
class Runtime;
}

namespace switchyard::detail {

class GroupMembership;
class RuntimeCore;
class Waiter;

// Task rides on its fiber context as the context's fiber_properties, so any worker that
// holds the context finds it in O(1), and Boost deletes it with the context. The context
// (and its stack) is made only when a worker first picks the task up: until then the Task
// stands alone in the run queues, so tasks spawned in bulk cost no stack, no page faults
// and no memory beyond their record. Its timing
// fields are touched only by the thread that runs or routes the task at that moment; the
// run queues' locks order those hand-offs.
class Task final : public boost::fibers::fiber_properties {
 public:
  // A `count`ed task reads the thread counters around its slices; it must also `measure`.
  // Throws std::bad_alloc (a counted task's readings are allocated apart).
  Task(RuntimeCore& rt, KindRecord& k, TaskBody* b, Placement target, bool pinned_here,
       bool measure, bool count, std::int64_t spawn_ns)
      : fiber_properties(nullptr),
        runtime(rt),
        kind(k),
        body(b),
        counters_(count ? std::make_unique<Counted>() : nullptr),
        target_(target),
        pinned_(pinned_here),
        where_(target),
        measured_(measure),
        spawn_ns_(spawn_ns),
        ready_ns_(spawn_ns) {}

  // of() is the Task riding on `ctx`, or nullptr for a context that is not a task's (a
  // thread's main or dispatcher context, or a plain Boost.Fiber fiber).
  static Task* of(boost::fibers::context* ctx) noexcept {
    return static_cast<Task*>(ctx->get_properties());
  }
  // current() is the calling task, or nullptr outside one of a runtime's tasks.
  static Task* current() noexcept;

  // context() is the fiber context the task runs on; nullptr until it has started.
  boost::fibers::context* context() const noexcept { return context_; }
  // started_on() records the context made for it; that context owns the Task from then on.
  void started_on(boost::fibers::context* ctx) noexcept {
    ctx->set_properties(this);
    context_ = ctx;
  }

  // destination() is where the task should run next: its own pin (hint or move_to), else
  // its kind's current placement. Any thread.
  Placement destination() const noexcept {
    return pinned_.load(std::memory_order_acquire) ? target_.load(std::memory_order_acquire)
                                                   : kind.governor.current();
  }
  // pin_to() makes the task stay on `p` whatever its kind does.
  void pin_to(Placement p) noexcept {
    target_.store(p, std::memory_order_release);
    pinned_.store(true, std::memory_order_release);
  }
  // where() is the executor of its current (or last) slice.
  Placement where() const noexcept { return where_; }

  // kMeasuredSlices is how many slices of a measured task are measured: a long-lived task that
  // switches often (a connection's, a channel's) would otherwise pay two clock readings, and
  // a counted one a counter reading, at every switch of its life. Its sample covers those
  // slices and the waits between them.
  static constexpr unsigned kMeasuredSlices = 256;
  // measuring() says whether its slices are still measured: measured, and fewer than
  // kMeasuredSlices closed.
  bool measuring() const noexcept { return measured_ && closed_slices_ < kMeasuredSlices; }
  // measured() says whether its slices are measured and its sample folded into its kind.
  bool measured() const noexcept { return measured_; }

  // on_ready() is called when the task becomes ready (spawned, woken, yielded). The time since
  // it stopped goes to joined or to the cause of the wait it parked in, which it forgets: a
  // suspension that is no parked wait (a yield) is `other`.
  void on_ready(std::int64_t now_ns) noexcept {
    if (stop_ns_ != 0) {
      (joining_ ? joined_ns_ : waits_[static_cast<std::size_t>(cause_)]) += now_ns - stop_ns_;
    }
    cause_ = WaitCause::other;
    ready_ns_ = now_ns;
  }
  // set_joining() says whether the task's suspensions from now on wait for other tasks to
  // finish (a future's get) rather than for the world. On the task's thread, before it
  // suspends and after it resumes: the hand-off to its waker orders the flag.
  void set_joining(bool joining) noexcept { joining_ = joining; }
  // open_slice() is called when a worker of executor `here` resumes it.
  // Only where and migrations are kept once it is no longer measuring().
  void open_slice(std::int64_t now_ns, const ThreadUsage& usage, Placement here) noexcept {
    if (started_ && here != where_) ++migrations_;
    started_ = true;
    where_ = here;
    if (!measuring()) return;
    queued_ns_ += now_ns - ready_ns_;
    resume_ns_ = now_ns;
    resume_usage_ = usage;
  }
  // close_slice() is called when a measuring() task stops running (suspends, yields, finishes).
  // Time off the CPU during the slice is "blocked" if the thread gave up the CPU itself (it called
  // into the kernel and waited), else it was preempted: runnable, waiting for a CPU, which
  // is queueing.
  void close_slice(std::int64_t now_ns, const ThreadUsage& usage) noexcept {
    const std::int64_t wall = now_ns - resume_ns_;
    const std::int64_t cpu = std::min(wall, usage.cpu_ns - resume_usage_.cpu_ns);
    const std::int64_t off_cpu = wall - cpu;
    const std::int64_t waited = std::min(off_cpu, std::exchange(slice_wait_ns_, 0));
    const std::int64_t on_io = std::min(waited, std::exchange(slice_io_ns_, 0));
    const std::int64_t blocked = blocked_ns(resume_usage_, usage, off_cpu - waited);
    cpu_ns_ += cpu;
    waits_[static_cast<std::size_t>(WaitCause::io)] += on_io;
    waits_[static_cast<std::size_t>(WaitCause::timer)] += waited - on_io;
    blocked_ns_ += blocked;
    queued_ns_ += off_cpu - waited - blocked;
    stop_ns_ = now_ns;
    ++closed_slices_;
  }
  // waited_in_slice() adds time the running task spent in a Switchyard wait that blocked its
  // thread (on a pool thread, sleeps and descriptor waits block instead of suspending): it
  // counts as waiting, like a suspension, not as blocked in the OS; for I/O if `on_io`, else
  // for a timer. On the task's thread.
  void waited_in_slice(bool on_io, std::int64_t ns) noexcept {
    slice_wait_ns_ += ns;
    if (on_io) slice_io_ns_ += ns;
  }
  // counted() says whether the task reads the thread counters; open_counters() and
  // close_counters() take the readings at the start and end of each of its slices.
  bool counted() const noexcept { return counters_ != nullptr; }
  void open_counters(const CounterSample& now) noexcept { counters_->opened = now; }
  void close_counters(const CounterSample& now) noexcept {
    const CounterSample slice = now - counters_->opened;
    counters_->total = counters_->total ? *counters_->total + slice : slice;
  }
  // park() marks the task as about to suspend in `w`, a wait for `cause`: the scheduling
  // algorithm's awakened() takes it with take_parking() and hands the detached context to the
  // waiter instead of queueing it. Both on the task's thread; the waiter's hand-off to its
  // waker orders the cause before on_ready() reads it.
  void park(Waiter* w, WaitCause cause) noexcept {
    parking_ = w;
    cause_ = cause;
  }
  Waiter* take_parking() noexcept { return std::exchange(parking_, nullptr); }

  // migrations() counts executor changes so far.
  unsigned migrations() const noexcept { return migrations_; }
  // sample() is the measurement of a task that finished without failing; call after the last
  // close_slice().
  TaskSample sample() const noexcept;

  RuntimeCore& runtime;
  KindRecord& kind;
  TaskBody* const body;
  std::uint64_t trace_id = 0;  // its number in the runtime's trace, when tracing
  // The run queues link ready tasks through it, under their locks.
  boost::intrusive::list_member_hook<> queue_hook;
  // Why its context could not be made, when it could not (RuntimeCore::launch).
  std::exception_ptr launch_error;
  // group is the group its own spawns join (GroupScope), or nullptr. Only the task touches it.
  const GroupMembership* group = nullptr;
  // reactor_wait is where its reactor waits arm, for its cancellation to find them.
  ReactorWait reactor_wait;
  // locals are its TaskLocal values, made on first use: only the task touches them, and
  // RuntimeCore::run() destroys them as the task ends, before its future resolves.
  std::unique_ptr<TaskLocals> locals;
#if SWITCHYARD_TSAN
  // Its context's ThreadSanitizer fiber (fiber_tsan.hpp), destroyed with the context.
  TsanFiber tsan_fiber;
#endif

 private:
  // Counted is a counted task's readings: the open slice's start, and the sum of its slices.
  struct Counted {
    CounterSample opened;
    std::optional<CounterSample> total;
  };

  const std::unique_ptr<Counted> counters_;
  boost::fibers::context* context_ = nullptr;
  Waiter* parking_ = nullptr;
  std::atomic<Placement> target_;
  std::atomic<bool> pinned_;
  Placement where_;
  const bool measured_;
  bool started_ = false;
  bool joining_ = false;
  WaitCause cause_ = WaitCause::other;  // of the wait it is parked in
  unsigned migrations_ = 0;
  unsigned closed_slices_ = 0;
  std::int64_t spawn_ns_;
  std::int64_t ready_ns_;
  std::int64_t resume_ns_ = 0;
  ThreadUsage resume_usage_;
  std::int64_t stop_ns_ = 0;
  std::int64_t queued_ns_ = 0;
  std::int64_t cpu_ns_ = 0;
  std::int64_t blocked_ns_ = 0;
  std::array<std::int64_t, kWaitCauses> waits_{};  // by WaitCause
  std::int64_t joined_ns_ = 0;
  std::int64_t slice_wait_ns_ = 0;
  std::int64_t slice_io_ns_ = 0;  // of slice_wait_ns_
};

// TaskQueue is a list of ready tasks linked through their queue_hook: the run queues'
// storage, which never allocates.
using TaskQueue = boost::intrusive::list<
    Task,
    boost::intrusive::member_hook<Task, boost::intrusive::list_member_hook<>, &Task::queue_hook>,
    boost::intrusive::constant_time_size<false>>;

}  // namespace switchyard::detail
