#include "fiber/overflow_handler.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string_view>

#include "core/kind_record.hpp"
#include "core/runtime_core.hpp"
#include "exec/executor.hpp"
#include "exec/worker.hpp"
#include "fiber/asan_build.hpp"
#include "fiber/stack_pool.hpp"

namespace switchyard::detail {

namespace {

#if !SWITCHYARD_ASAN

// Room for the handler, and for a handler it chains to (a crash reporter that unwinds).
constexpr std::size_t kSignalStackBytes = 64 * 1024;
// A kind's name is cut to this many bytes in the message, which has a fixed buffer.
constexpr std::size_t kNameBytes = 256;

// The dispositions found when the handler was installed: where other faults go.
struct sigaction previous_segv {};
struct sigaction previous_bus {};

// Line is a message put together without allocating, as a signal handler must.
class Line {
 public:
  void add(std::string_view s) noexcept {
    const std::size_t n = std::min(s.size(), sizeof text_ - size_);
    std::memcpy(text_ + size_, s.data(), n);
    size_ += n;
  }
  void add(std::size_t n) noexcept {
    char digits[20];
    std::size_t i = sizeof digits;
    do {
      digits[--i] = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n != 0);
    add(std::string_view(digits + i, sizeof digits - i));
  }
  void write() const noexcept {
    std::size_t done = 0;
    while (done < size_) {
      const ssize_t n = ::write(STDERR_FILENO, text_ + done, size_ - done);
      if (n <= 0 && errno != EINTR) return;
      if (n > 0) done += static_cast<std::size_t>(n);
    }
  }

 private:
  char text_[kNameBytes + 128];
  std::size_t size_ = 0;
};

[[noreturn]] void report_overflow(const KindRecord* kind, std::size_t stack_bytes) noexcept {
  Line line;
  if (kind != nullptr) {
    line.add("switchyard: task of kind '");
    line.add(std::string_view(kind->name).substr(0, kNameBytes));
    line.add("' overflowed its ");
  } else {
    line.add("switchyard: a task overflowed its ");
  }
  line.add(stack_bytes / 1024);
  line.add(" KiB fiber stack; raise executors.stack_kib in the config\n");
  line.write();
  std::abort();
}

// chain() hands a fault that is no overflow to what would have had it without the runtime.
void chain(int sig, siginfo_t* info, void* context) noexcept {
  const struct sigaction& previous = sig == SIGBUS ? previous_bus : previous_segv;
  if (previous.sa_handler == SIG_IGN && info->si_code <= 0) return;  // sent, and ignored
  if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
    // The default action, as if the handler had never been there: it comes with the signal
    // raised again, once this handler returns and unblocks it. (The kernel never lets a
    // fault be ignored either.)
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(sig, &fallback, nullptr);
    raise(sig);
    return;
  }
  if ((previous.sa_flags & SA_SIGINFO) != 0) {
    previous.sa_sigaction(sig, info, context);
  } else {
    previous.sa_handler(sig);
  }
}

void on_fault(int sig, siginfo_t* info, void* context) {
  // A guard page is hit only by a task on a worker, whose pool made it.
  if (Worker* worker = Worker::current()) {
    const StackPool& stacks = worker->executor.runtime().stacks();
    if (stacks.in_guard(info->si_addr)) {
      report_overflow(worker->running_kind.load(std::memory_order_relaxed), stacks.stack_bytes());
    }
  }
  chain(sig, info, context);
}

void install(int sig, struct sigaction& previous) noexcept {
  struct sigaction current {};
  sigaction(sig, nullptr, &current);
  if ((current.sa_flags & SA_SIGINFO) != 0 && current.sa_sigaction == on_fault) return;
  // Not in place, so no fault comes to on_fault() to read `previous` while it changes.
  previous = current;
  struct sigaction action {};
  action.sa_sigaction = on_fault;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  sigaction(sig, &action, nullptr);
}

#endif

}  // namespace

void install_overflow_handler() noexcept {
#if !SWITCHYARD_ASAN
  // Signal dispositions are the process's: one handler serves every runtime, and runtimes
  // starting together install it once.
  static std::mutex mutex;
  std::lock_guard lk(mutex);
  install(SIGSEGV, previous_segv);
  install(SIGBUS, previous_bus);
#endif
}

SignalStack::SignalStack() noexcept {
#if !SWITCHYARD_ASAN
  stack_.reset(new (std::nothrow) char[kSignalStackBytes]);
  if (!stack_) return;
  stack_t stack{};
  stack.ss_sp = stack_.get();
  stack.ss_size = kSignalStackBytes;
  if (sigaltstack(&stack, &previous_) != 0) stack_.reset();
#endif
}

SignalStack::~SignalStack() {
  if (stack_) sigaltstack(&previous_, nullptr);
}

}  // namespace switchyard::detail
