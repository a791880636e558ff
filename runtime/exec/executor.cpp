#include "exec/executor.hpp"

#include <algorithm>
#include <cstdio>
#include <system_error>

#include <switchyard/detail/timeout.hpp>

#include "core/clock.hpp"
#include "core/logger.hpp"
#include "core/runtime_core.hpp"
#include "exec/spin_wait.hpp"
#include "task/task.hpp"

namespace switchyard::detail {

namespace {
// The Processor whose reactor the calling thread polls on its owner's behalf (poll_for()).
thread_local Processor* tl_polling_for = nullptr;
}  // namespace

Executor::Executor(RuntimeCore& rt, const Topology& topology, Options options)
    : runtime_(rt), topology_(topology), options_(options) {
  if (options_.processors) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.min_workers); ++i) {
      processors_.push_back(
          std::make_unique<Processor>(i, options_.reactors ? &rt.cancelled() : nullptr));
    }
  }
}

Executor::~Executor() {
  stop();
}

void Executor::start() {
  std::lock_guard lk(workers_mutex_);
  const std::size_t n = std::max<std::size_t>(1, options_.min_workers);
  for (std::size_t i = 0; i < n; ++i) {
    start_worker(options_.processors ? processors_[i].get() : nullptr);
  }
}

void Executor::start_worker(Processor* p) {
  auto w = std::make_unique<Worker>(*this, next_index_++);
  if (p != nullptr) {
    p->owner.store(w.get(), std::memory_order_release);
    w->processor.store(p, std::memory_order_release);
  }
  // Listed before it starts: running workers read the list.
  workers_.push_back(std::move(w));
  try {
    workers_.back()->start();
  } catch (...) {
    workers_.pop_back();
    --next_index_;
    throw;
  }
  worker_count_.fetch_add(1);
}

void Executor::stop() {
  {
    std::lock_guard lk(workers_mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& w : workers_) w->request_stop();
    for (auto& w : retired_) w->request_stop();
  }
  // Once stopping_ is set nobody else changes the lists, so the joins need no lock (a worker
  // may be waiting for the lock in try_retire()), and workers still stealing see them whole
  // until every one of them has exited.
  for (auto& w : workers_) w->join();
  for (auto& w : retired_) w->join();
  worker_count_.store(0);
  // The Worker objects stay until ~Executor: report() may still read them.
}

void Executor::submit(Task& task) noexcept {
  shared_.push(task);
  // Only pool threads grow for a queued task; the fiber executor grows to take over Processors.
  if (!wake_one() && elastic() && !options_.processors) grow();
}

void Executor::schedule(Task& task) noexcept {
  Worker* w = Worker::current();
  if (w != nullptr && &w->executor == this && !w->retiring) {
    // Only the Processor's owner queues on it: a thread whose Processor was just handed on
    // would otherwise queue work its new owner, asleep, is not told about.
    Processor* p = w->processor.load(std::memory_order_relaxed);
    if (p != nullptr && p->owner.load(std::memory_order_acquire) == w) {
      // A task that the one running here woke (up to its last act, setting its future) runs
      // when that one stops: a pair that wakes each other stays on this worker
      // (run_next.hpp). A fresh task, a yielding one, or one a poll found ready waits its
      // turn in the queue.
      push_local(*p, task, task.context() != nullptr && w->on_task);
      return;
    }
  }
  if (Processor* p = tl_polling_for; p != nullptr && owns(*p)) {
    p->local.push(task);
    // Its owner may be idle already, spinning or asleep in the reactor: either sees this.
    p->reactor->wake();
    return;
  }
  submit(task);
}

bool Executor::owns(const Processor& p) const noexcept {
  return p.index < processors_.size() && processors_[p.index].get() == &p;
}

void Executor::poll_for(Processor& p) noexcept {
  tl_polling_for = &p;
  p.reactor->try_poll();
  tl_polling_for = nullptr;
}

void Executor::push_local(Processor& p, Task& task, bool next) noexcept {
  if (!next) {
    p.local.push(task);
  } else if (Task* displaced = p.run_next.put(task)) {
    p.local.push(*displaced);
  }
  // One ready task is left for this worker: it is most often the child a task just spawned
  // and is about to join, or the task it just woke, and waking a sibling to steal it would
  // only add a cross-thread round trip. Two or more waiting, with a sibling asleep, is work
  // to share.
  if (idle_count_.load() > 0 && p.ready() > 1) wake_one();
}

Processor* Executor::own_processor(Worker& w) noexcept {
  Processor* p = w.processor.load(std::memory_order_relaxed);
  if (p == nullptr || p->owner.load(std::memory_order_acquire) == &w) return p;
  // The monitor handed it on while this thread was blocked under a task.
  w.processor.store(nullptr, std::memory_order_seq_cst);
  std::lock_guard lk(workers_mutex_);
  try {
    spares_.push_back(&w);
  } catch (const std::bad_alloc&) {
    // Not offered as a spare: it retires when idle instead.
  }
  return nullptr;
}

Task* Executor::take(Worker& w) noexcept {
  if (Task* task = shared_.pop()) return task;
  const Processor* own = w.processor.load(std::memory_order_relaxed);
  if (own == nullptr) return nullptr;
  // A worker holding many suspended tasks steals only tasks that were running already: a
  // fresh one would start one more tree beside those it has not finished (docs/internals.md,
  // "Run queues and stealing").
  const bool resumed_only = w.attached > kStealFreshWhileHolding;
  const std::size_t n = processors_.size();
  for (std::size_t k = 1; k < n; ++k) {
    if (Task* task = processors_[(own->index + k) % n]->local.steal(resumed_only)) return task;
  }
  return nullptr;
}

Task* Executor::steal_run_next(Worker& w) noexcept {
  const Processor* own = w.processor.load(std::memory_order_relaxed);
  if (own == nullptr) return nullptr;
  const std::size_t n = processors_.size();
  std::int64_t now = 0;
  Processor* young = nullptr;  // the first sibling whose occupant is not old enough yet
  for (std::size_t k = 1; k < n; ++k) {
    Processor& victim = *processors_[(own->index + k) % n];
    if (!victim.run_next.occupied()) continue;
    if (now == 0) now = steady_ns();
    if (Task* task = victim.run_next.steal(now)) return task;
    if (young == nullptr) young = &victim;
  }
  // A fiber worker looks again and again while it spins before it sleeps (has_work() in
  // SchedulingAlgorithm::suspend_until()). A pool worker parks at once: it waits out the
  // owner here (Go's thief sleeps 3 us likewise), or it would leave a task behind a waker that
  // keeps computing.
  if (young == nullptr || own->reactor) return nullptr;
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::nanoseconds(RunNextSlot::kStealAfterNs);
  spin_wait([young] { return !young->run_next.occupied(); }, until);
  return young->run_next.steal(steady_ns());
}

bool Executor::has_work(const Worker& w) const noexcept {
  if (shared_.size() > 0) return true;
  const Processor* own = w.processor.load(std::memory_order_relaxed);
  std::int64_t now = 0;
  for (const auto& p : processors_) {
    if (p.get() == own) continue;
    if (p->local.size() > 0) return true;
    if (p->run_next.occupied()) {
      if (now == 0) now = steady_ns();
      if (p->run_next.stealable(now)) return true;
    }
  }
  return false;
}

void Executor::share_if_needed(const Worker& w) noexcept {
  if (idle_count_.load() == 0) return;
  const Processor* p = w.processor.load(std::memory_order_relaxed);
  if ((p != nullptr && p->ready() > 1) || shared_.size() > 0) wake_one();
}

void Executor::mark_idle(Worker& w) {
  std::lock_guard lk(idle_mutex_);
  if (std::find(idle_.begin(), idle_.end(), &w) == idle_.end()) {
    idle_.push_back(&w);
    idle_count_.fetch_add(1, std::memory_order_seq_cst);
  }
}

void Executor::unmark_idle(Worker& w) {
  std::lock_guard lk(idle_mutex_);
  if (auto it = std::find(idle_.begin(), idle_.end(), &w); it != idle_.end()) {
    idle_.erase(it);
    idle_count_.fetch_sub(1, std::memory_order_seq_cst);
  }
}

bool Executor::wake_one() noexcept {
  if (idle_count_.load(std::memory_order_seq_cst) == 0) return false;
  Worker* w = nullptr;
  {
    std::lock_guard lk(idle_mutex_);
    if (idle_.empty()) return false;
    w = idle_.back();
    idle_.pop_back();
    idle_count_.fetch_sub(1, std::memory_order_seq_cst);
    w->wakers.fetch_add(1, std::memory_order_relaxed);  // ordered by the lock: try_retire()
  }
  w->unpark();
  w->wakers.fetch_sub(1, std::memory_order_release);  // the last touch: it may go from here
  return true;
}

void Executor::grow() noexcept {
  std::lock_guard lk(workers_mutex_);
  reap_retired();
  if (stopping_ || workers_.size() >= options_.max_workers) return;
  try {
    start_worker(nullptr);
  } catch (const std::exception& e) {
    // The task stays queued; a busy worker takes it when it frees up.
    const std::string_view executor = to_string(options_.placement);
    log(LogLevel::warning, "thread_start_failed", {{"executor", executor}},
        "switchyard: {} pool could not start a thread: {}", executor, e.what());
  }
}

void Executor::handoff(Processor& p) noexcept {
  std::lock_guard lk(workers_mutex_);
  reap_retired();
  if (stopping_) return;
  if (!spares_.empty()) {
    Worker* w = spares_.back();
    spares_.pop_back();
    p.owner.store(w, std::memory_order_release);
    w->processor.store(&p, std::memory_order_seq_cst);
    w->unpark();
  } else if (workers_.size() < options_.max_workers) {
    try {
      start_worker(&p);
    } catch (const std::exception& e) {
      // The Processor stays with the blocked thread, which resumes it when it unblocks.
      log(LogLevel::warning, "thread_start_failed", {{"executor", "fiber"}},
          "switchyard: fiber executor could not start a spare thread: {}", e.what());
      return;
    }
  } else {
    return;
  }
  handoffs_.fetch_add(1, std::memory_order_relaxed);
}

Reactor& Executor::reactor_for(const Worker& w) noexcept {
  if (Processor* p = w.processor.load(std::memory_order_relaxed)) return *p->reactor;
  return reactor_at(w.index);
}

Reactor& Executor::reactor_at(std::size_t i) noexcept {
  return *processors_[i % processors_.size()]->reactor;
}

void Executor::reap_retired() {
  for (auto& w : retired_) w->join();
  retired_.clear();
}

bool Executor::try_retire(Worker& w) {
  std::lock_guard lk(workers_mutex_);
  if (stopping_ || workers_.size() <= keep() || w.attached != 0 ||
      w.processor.load(std::memory_order_relaxed) != nullptr ||
      (!options_.processors && shared_.size() > 0)) {
    return false;
  }
  const auto idle_ns = steady_ns() - w.idle_since_ns;
  if (w.idle_since_ns == 0 ||
      idle_ns < timeout_cast<std::chrono::nanoseconds>(options_.idle_timeout).count()) {
    return false;
  }
  unmark_idle(w);
  // Off the idle list now, so no new waker can take it; one that took it before must be done.
  if (w.wakers.load(std::memory_order_acquire) != 0) return false;
  std::erase(spares_, &w);
  w.retiring = true;
  retired_slices_.fetch_add(w.switches.load(std::memory_order_relaxed));
  auto it =
      std::find_if(workers_.begin(), workers_.end(), [&](const auto& p) { return p.get() == &w; });
  retired_.push_back(std::move(*it));
  workers_.erase(it);
  worker_count_.fetch_sub(1);
  return true;
}

void Executor::on_thread_start(Worker& w) {
  if (!options_.pin) return;
  if (std::string why = topology_.bind_current_thread(w.index); !why.empty()) {
    const std::string_view executor = to_string(options_.placement);
    log(LogLevel::warning, "not_pinned",
        {{"executor", executor}, {"worker", std::to_string(w.index)}},
        "switchyard: {} worker {} not pinned: {}", executor, w.index, why);
  }
}

ExecutorLoad Executor::load() const noexcept {
  std::lock_guard lk(workers_mutex_);
  ExecutorLoad l;
  l.workers = worker_count_.load(std::memory_order_relaxed);
  const std::size_t idle = idle_count_.load(std::memory_order_relaxed) + spares_.size();
  l.busy = l.workers > idle ? l.workers - idle : 0;
  l.queued = shared_.size();
  for (const auto& p : processors_) l.queued += p->ready();
  return l;
}

std::uint64_t Executor::slices() const noexcept {
  std::lock_guard lk(workers_mutex_);
  std::uint64_t n = retired_slices_.load(std::memory_order_relaxed);
  for (const auto& w : workers_) n += w->switches.load(std::memory_order_relaxed);
  return n;
}

}  // namespace switchyard::detail
