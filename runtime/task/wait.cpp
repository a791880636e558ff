#include "task/wait.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include <boost/fiber/context.hpp>

#include <switchyard/detail/cancel_state.hpp>
#include <switchyard/detail/timeout.hpp>

#include "core/clock.hpp"
#include "core/runtime_core.hpp"
#include "exec/executor.hpp"
#include "exec/worker.hpp"
#include "io/io_source.hpp"
#include "io/reactor.hpp"
#include "task/task.hpp"

namespace switchyard::detail {

namespace {

using time_point = std::chrono::steady_clock::time_point;

// Here is where the calling code runs: a task (or not), and the reactor it may park on.
struct Here {
  Task* task = nullptr;
  Reactor* reactor = nullptr;  // set for a task on a fiber worker
};

Here here() noexcept {
  Task* task = Task::current();
  if (task == nullptr) return {};
  Worker& w = *Worker::current();
  return {task, w.executor.has_reactors() ? &w.executor.reactor_for(w) : nullptr};
}

// cancel_pending() says whether the calling task was cancelled: its waits end at once, even
// those that would not need to park.
bool cancel_pending(const Here& h) noexcept {
  return h.task != nullptr && h.task->body->cancellation.deliverable();
}

// InterruptFd is a pool thread's eventfd, written when the task blocked on the thread in
// poll() is cancelled; made on the thread's first such wait, closed when the thread exits.
class InterruptFd {
 public:
  InterruptFd() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
  ~InterruptFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  InterruptFd(const InterruptFd&) = delete;
  InterruptFd& operator=(const InterruptFd&) = delete;

  int fd() const noexcept { return fd_; }
  static void raise(void* self) noexcept {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(static_cast<InterruptFd*>(self)->fd_, &one, sizeof one);
  }
  void drain() const noexcept {
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(fd_, &count, sizeof count);
  }

 private:
  int fd_;
};

// block() waits in poll() for `fd` (if not negative), for the task's runtime's cancellation and
// for the task's own. A measured task's time in poll() counts as waiting: for I/O with a
// descriptor, for a timer without.
Waiter::Outcome block(Task* task, int fd, short events, time_point deadline) {
  pollfd fds[3];
  nfds_t n = 0;
  if (fd >= 0) fds[n++] = {fd, events, 0};
  const int cancel_at = task != nullptr ? static_cast<int>(n) : -1;
  if (task != nullptr) fds[n++] = {task->runtime.cancelled().fd(), POLLIN, 0};
  static thread_local InterruptFd interrupt;
  const int interrupt_at = task != nullptr && interrupt.fd() >= 0 ? static_cast<int>(n) : -1;
  std::optional<CancelRegistration> task_cancel;
  if (interrupt_at >= 0) {
    fds[n++] = {interrupt.fd(), POLLIN, 0};
    task_cancel.emplace(&InterruptFd::raise, &interrupt);
  }
  struct Drain {
    const InterruptFd& interrupt;
    std::optional<CancelRegistration>& task_cancel;
    ~Drain() {
      // After leaving the wait no canceller writes; one that did left the descriptor readable.
      const bool cancelled = task_cancel && task_cancel->cancelled();
      task_cancel.reset();
      if (cancelled) interrupt.drain();
    }
  } drain{interrupt, task_cancel};
  if (task_cancel && task_cancel->cancelled()) return Waiter::Outcome::cancelled;
  for (;;) {
    timespec ts{};
    timespec* timeout = nullptr;
    if (deadline != time_point::max()) {
      ts = to_timespec(std::chrono::duration_cast<std::chrono::nanoseconds>(
                           time_left(deadline, std::chrono::steady_clock::now()))
                           .count());
      timeout = &ts;
    }
    const std::int64_t polled_ns = task != nullptr && task->measuring() ? steady_ns() : 0;
    const int r = ppoll(fds, n, timeout, nullptr);
    if (polled_ns != 0) task->waited_in_slice(fd >= 0, steady_ns() - polled_ns);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll");
    }
    if (r == 0) return Waiter::Outcome::timeout;
    if (cancel_at >= 0 && fds[cancel_at].revents != 0) return Waiter::Outcome::cancelled;
    if (interrupt_at >= 0 && fds[interrupt_at].revents != 0) {
      if (task_cancel->cancelled()) return Waiter::Outcome::cancelled;
      interrupt.drain();  // meant for a task this thread ran before
      if (fd < 0 || fds[0].revents == 0) continue;
    }
    if (fd >= 0 && (fds[0].revents & POLLNVAL) != 0) return Waiter::Outcome::closed;
    return Waiter::Outcome::ready;
  }
}

// kRegistrationLocks: the locks under which descriptors are first registered, one picked by
// the address of the descriptor's IoSource slot.
constexpr std::size_t kRegistrationLocks = 64;
std::array<std::mutex, kRegistrationLocks> registration_locks;

// registered() is the descriptor's IoSource, registered with `reactor` now if it is not yet
// (or was by a runtime that has since shut down). Two tasks may wait on one descriptor at
// once, one reading and one writing: the slot is read and written atomically, and its first
// registration made under a lock, so that the descriptor is registered once.
IoSource& registered(int fd, IoSource*& slot, Reactor& reactor) {
  std::atomic_ref<IoSource*> ref(slot);
  IoSource* source = ref.load(std::memory_order_acquire);
  if (source != nullptr && source->reactor != nullptr) return *source;
  const auto at = reinterpret_cast<std::uintptr_t>(&slot) / alignof(std::max_align_t);
  std::lock_guard lk(registration_locks[at % kRegistrationLocks]);
  source = ref.load(std::memory_order_acquire);
  if (source != nullptr && source->reactor == nullptr) {
    delete source;
    source = nullptr;
  }
  if (source == nullptr) {
    source = reactor.add(fd);
    ref.store(source, std::memory_order_release);
  }
  return *source;
}

}  // namespace

Waiter::Outcome sleep_until(time_point deadline) noexcept {
  const Here h = here();
  if (cancel_pending(h)) return Waiter::Outcome::cancelled;
  if (h.reactor == nullptr) {
    if (h.task == nullptr) {
      std::this_thread::sleep_until(deadline);
      return Waiter::Outcome::timeout;
    }
    try {
      return block(h.task, -1, 0, deadline);
    } catch (const std::system_error&) {
      std::this_thread::sleep_until(deadline);
      return Waiter::Outcome::timeout;
    }
  }
  Waiter w(boost::fibers::context::active(), deadline, nullptr, WaitCause::timer);
  return h.reactor->park(w);
}

Waiter::Outcome wait_fd(int fd, IoSource*& source, bool for_read, time_point deadline) {
  const Here h = here();
  if (cancel_pending(h)) return Waiter::Outcome::cancelled;
  if (h.reactor == nullptr) return block(h.task, fd, for_read ? POLLIN : POLLOUT, deadline);
  return registered(fd, source, *h.reactor).wait(for_read, deadline, *h.reactor);
}

void release_fd(IoSource*& source) noexcept {
  if (source == nullptr) return;
  if (source->reactor != nullptr) {
    source->reactor->remove(source);
  } else {
    delete source;
  }
  source = nullptr;
}

}  // namespace switchyard::detail
