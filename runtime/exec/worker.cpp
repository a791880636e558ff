#include "exec/worker.hpp"

#include <pthread.h>
#include <unistd.h>

#include <boost/fiber/operations.hpp>

#include <switchyard/detail/timeout.hpp>

#include "core/runtime_core.hpp"
#include "exec/executor.hpp"
#include "exec/processor.hpp"
#include "exec/scheduling_algorithm.hpp"
#include "fiber/fiber_sanitizer.hpp"
#include "fiber/overflow_handler.hpp"

namespace switchyard::detail {

namespace {
// Read several times on every wait and wake: the initial-exec model reads it at a fixed offset
// from the thread pointer instead of calling __tls_get_addr (a pointer's worth of static TLS,
// which glibc keeps room for even when the library is loaded by dlopen).
[[gnu::tls_model("initial-exec")]] thread_local Worker* tl_worker = nullptr;
}  // namespace

Worker::Worker(Executor& exec, std::size_t i) : executor(exec), index(i) {}

Worker::~Worker() {
  join();
}

void Worker::start() {
  thread_ = std::thread([this] { main(); });
  pthread_getcpuclockid(thread_.native_handle(), &cpu_clock);
}

void Worker::request_stop() {
  // The flag is atomic as well as written under the mutex: the mutex orders it with the
  // worker's wait, the atomic makes that order visible to tools that cannot see inside
  // Boost.Fiber's mutex. The notification is made under the mutex too: it reaches into the
  // worker's scheduler, which the worker destroys as it exits, and a worker woken any other
  // way (its idle timeout) takes the mutex before it can see the flag and go.
  std::lock_guard lk(stop_mutex_);
  stop_.store(true);
  stop_cv_.notify_all();
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::unpark() noexcept {
  Processor* p = processor.load(std::memory_order_seq_cst);
  if (p != nullptr && p->reactor) p->reactor->wake();
  parker.unpark();
}

std::string Worker::track_name() const {
  const Placement p = executor.placement();
  return std::string(to_string(p)) + (p == Placement::fiber ? " worker " : " ") +
         std::to_string(index);
}

Worker* Worker::current() noexcept {
  return tl_worker;
}

void Worker::main() {
  sanitizer_worker_thread_started();  // before this thread's Boost.Fiber scheduler exists
  // The overflow handler's stack, for when a task overflowed the one this thread runs on.
  const SignalStack signal_stack;
  tl_worker = this;
  tid.store(gettid(), std::memory_order_release);
  try {
    counters.emplace(executor.runtime().counter_plan());
    counters->start();
  } catch (...) {
    counters.reset();  // this thread's tasks go uncounted; the rest of it works
  }
  if (Trace* t = executor.runtime().trace()) {
    try {
      trace = &t->track(executor.placement(), track_name());
    } catch (const std::bad_alloc&) {
      trace = nullptr;  // this thread's slices go untraced
    }
  }
  executor.on_thread_start(*this);
  // SchedulingAlgorithm; under a sanitizer, wrapped to announce fiber switches.
  boost::fibers::use_scheduling_algorithm<WorkerAlgorithm>(*this);
  if (executor.elastic()) {
    // An elastic pool's idle threads look every idle period whether they may leave. The stop
    // mutex is released before asking: stop() holds the executor's lock while it takes ours.
    while (!stop_.load()) {
      {
        std::unique_lock lk(stop_mutex_);
        stop_cv_.wait_until(lk, deadline_after(executor.idle_timeout()),
                            [this] { return stop_.load(); });
      }
      if (!stop_.load() && executor.try_retire(*this)) break;
    }
  } else {
    std::unique_lock lk(stop_mutex_);
    stop_cv_.wait(lk, [this] { return stop_.load(); });
  }
  retiring = true;
  counters.reset();  // on this thread, which PAPI registered it with
  // The thread's scheduler is destroyed after this returns, when thread-locals are; it may
  // still call the algorithm, which needs tl_worker, so it is left set.
}

}  // namespace switchyard::detail
