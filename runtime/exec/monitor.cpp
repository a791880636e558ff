#include "exec/monitor.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <switchyard/detail/timeout.hpp>

#include "core/clock.hpp"
#include "core/runtime_core.hpp"
#include "exec/executor.hpp"

namespace switchyard::detail {

namespace {

// Free stacks beyond the pool's hot set go back to the kernel this often.
constexpr std::int64_t kTrimEveryNs = 100'000'000;
// The policy resizes the elastic executors this often.
constexpr std::int64_t kRetuneEveryNs = 100'000'000;
// After this many ticks in which no fiber task ran and no fiber worker left idle, the monitor
// dozes up to kDoze at a time, until a fiber worker rings the bell.
constexpr int kIdleTicks = 8;
constexpr std::chrono::milliseconds kDoze{10};

// read_thread_file() reads /proc/self/task/TID/`name` into `buf` (NUL-terminated); false if
// it cannot.
template <std::size_t N>
bool read_thread_file(pid_t tid, const char* name, char (&buf)[N]) noexcept {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/%s", static_cast<int>(tid), name);
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t n = ::read(fd, buf, N - 1);
  ::close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  return true;
}

// thread_state() is thread `tid`'s state letter in /proc/self/task/TID/stat: 'R' running or
// runnable, 'S' waiting in the kernel for an event (a socket, a lock, a timer), 'D' waiting
// uninterruptibly (a page fault or disk read in progress); '?' if it cannot be read.
char thread_state(pid_t tid) noexcept {
  char buf[256];
  if (!read_thread_file(tid, "stat", buf)) return '?';
  // "tid (comm) S ...": the state follows the last ')' (comm may contain one).
  const char* close = std::strrchr(buf, ')');
  return close != nullptr && close[1] == ' ' ? close[2] : '?';
}

// in_lock_wait() says whether thread `tid` is inside futex(), the system call every lock and
// condition variable of the process sleeps in (/proc/self/task/TID/syscall holds the number
// of the call a sleeping thread is in).
bool in_lock_wait(pid_t tid) noexcept {
  char buf[32];
  return read_thread_file(tid, "syscall", buf) && std::strtol(buf, nullptr, 10) == SYS_futex;
}

}  // namespace

Monitor::Monitor(RuntimeCore& rt, Executor& fibers, MonitorBell& bell,
                 std::chrono::microseconds stall_threshold, bool watchdog)
    : runtime_(rt),
      fibers_(fibers),
      threshold_ns_(timeout_cast<std::chrono::nanoseconds>(stall_threshold).count()),
      watchdog_(watchdog),
      watches_(fibers.processors().size()),
      bell_(bell),
      thread_([this] { main(); }) {}

Monitor::~Monitor() {
  bell_.stop();
  thread_.join();
}

void Monitor::main() {
  // Its other rounds (trimming stacks, retuning, failing tasks that could not launch) come due
  // every kRetuneEveryNs, however long the stall threshold.
  const auto period = std::chrono::nanoseconds(
      std::clamp<std::int64_t>(threshold_ns_ / 2, 100'000, kRetuneEveryNs));
  int idle_ticks = 0;
  for (;;) {
    const bool doze = idle_ticks >= kIdleTicks;
    const std::int64_t now_ns = steady_ns();
    const std::int64_t nap_ns = doze ? std::chrono::nanoseconds(kDoze).count() : period.count();
    const std::int64_t wake_ns = runtime_.alarms().plan(now_ns + nap_ns);
    if (bell_.sleep(std::chrono::nanoseconds(std::max<std::int64_t>(wake_ns - now_ns, 0)), doze)) {
      return;
    }
    const bool rung = bell_.rearm();
    idle_ticks = tick(steady_ns()) || rung ? 0 : idle_ticks + 1;
  }
}

bool Monitor::tick(std::int64_t now_ns) noexcept {
  runtime_.alarms().ring(now_ns);
  runtime_.refresh_load();
  runtime_.fail_unlaunched();
  if (now_ns - last_trim_ns_ >= kTrimEveryNs) {
    runtime_.stacks().trim();
    last_trim_ns_ = now_ns;
  }
  if (now_ns - last_retune_ns_ >= kRetuneEveryNs) {
    runtime_.retune();
    last_retune_ns_ = now_ns;
  }
  const auto& processors = fibers_.processors();
  std::uint64_t slices = 0;
  bool running = false;
  for (std::size_t i = 0; i < processors.size(); ++i) {
    Processor& p = *processors[i];
    if (p.reactor->due(now_ns)) fibers_.poll_for(p);
    // The owner cannot retire while it holds the Processor, and only this thread takes
    // Processors away, so it stays valid here.
    Worker* w = p.owner.load(std::memory_order_acquire);
    const std::uint64_t switches = w->switches.load(std::memory_order_acquire);
    KindRecord* kind = w->running_kind.load(std::memory_order_acquire);
    slices += switches;
    running = running || kind != nullptr;
    if (!watchdog_) continue;
    Watch& watch = watches_[i];
    if (w != watch.worker || switches != watch.switches || kind == nullptr) {
      watch = {w, switches, now_ns, clock_ns(w->cpu_clock), false};
      continue;
    }
    if (watch.reported || now_ns - watch.since_ns < threshold_ns_) continue;
    // Three cases look alike from here: the task blocked in the OS (the thread ran for less
    // than half the slice and sleeps in the kernel waiting for an event: a socket, a timer);
    // the task is stuck without yielding (it ran most of the time; or the kernel holds it
    // uninterruptibly, a page fault or a disk read; or it waits for a lock, which is most
    // often one of the process's own, held by a thread the OS preempted: none of these is a
    // call the task chose to block in); or the OS has not given the thread a CPU (nothing the
    // task did; watch it afresh). Only the first marks the kind; the other two hand the
    // worker's fibers on all the same.
    const std::int64_t cpu = clock_ns(w->cpu_clock);
    const bool computing = 2 * (cpu - watch.cpu_since_ns) >= now_ns - watch.since_ns;
    const pid_t tid = w->tid.load(std::memory_order_acquire);
    const char state = thread_state(tid);
    const bool locked = !computing && state == 'S' && in_lock_wait(tid);
    const bool blocked = !computing && state == 'S' && !locked;
    const bool stuck = computing || state == 'D' || locked;
    if (!blocked && !stuck) {
      watch.since_ns = now_ns;
      watch.cpu_since_ns = cpu;
      continue;
    }
    watch.reported = true;
    // The slice may have ended while we looked (the thread then sleeps in its reactor).
    if (w->switches.load(std::memory_order_acquire) != switches ||
        w->running_kind.load(std::memory_order_acquire) != kind) {
      continue;
    }
    runtime_.on_stall(*kind, *w, blocked);
    fibers_.handoff(p);
  }
  const bool active = running || slices != fiber_slices_;
  fiber_slices_ = slices;
  return active;
}

}  // namespace switchyard::detail
