#include <alloca.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

#include <boost/fiber/context.hpp>

#include <switchyard/switchyard.hpp>

#include "fiber/asan_build.hpp"
#include "fiber/tsan_build.hpp"
#include "support.hpp"

namespace sy = switchyard;
using Catch::Contains;

namespace {

// end_child() ends a child process with `status`, its runtime's threads still running: through
// exit_group itself, since ThreadSanitizer's _exit() would report those threads as leaked.
[[noreturn]] void end_child(int status) {
  ::syscall(SYS_exit_group, status);
  __builtin_unreachable();
}

#if SWITCHYARD_ASAN
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif

// Overflow is one case of a task overrunning its stack: the stack size, where the task runs,
// and whether the program installed a SIGSEGV handler of its own first.
struct Overflow {
  std::uint32_t stack_kib;
  sy::Placement placement;
  bool program_handler;
};

// Dispositions as the program started, before Catch2 put its handlers in: the default
// action, or AddressSanitizer's handler.
class InitialDispositions {
 public:
  InitialDispositions() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
      ::sigaction(kSignals[i], nullptr, &actions_[i]);
    }
  }
  void restore() const {
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
      ::sigaction(kSignals[i], &actions_[i], nullptr);
    }
  }

 private:
  // The signals Catch2 catches.
  static constexpr std::array kSignals{SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGINT, SIGSEGV, SIGTERM};
  std::array<struct sigaction, kSignals.size()> actions_{};
};
const InitialDispositions initial_dispositions;

// ChildRun is how a child process ended and what it wrote on stderr.
struct ChildRun {
  int status = 0;
  std::string err;
};

// in_child() runs `body` in a forked child whose stderr is captured, and waits for it. The
// child exits 0 if `body` returns. It starts with the signal dispositions the program started
// with, and dumps no core.
template <class Body>
ChildRun in_child(Body body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    ::dup2(fds[1], STDERR_FILENO);
    initial_dispositions.restore();
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    body();
    std::fputs("the child survived\n", stderr);
    end_child(0);
  }
  ::close(fds[1]);
  ChildRun run;
  char buffer[4096];
  ssize_t got = 0;
  while ((got = ::read(fds[0], buffer, sizeof buffer)) > 0) {
    run.err.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fds[0]);
  REQUIRE(::waitpid(child, &run.status, 0) == child);
  return run;
}

// overrun() puts a frame on the stack that reaches 1 KiB below the bottom of the task's
// `stack_bytes` stack and writes only its lowest byte, as a task with a large local array
// that it fills from the low end would: the bytes in between, the stack's canary among them,
// are left untouched. Boost.Fiber builds a fiber's context at the top of its stack, so the
// task can tell where its stack ends, whatever the frames it runs under.
[[gnu::noinline]] void overrun(std::size_t stack_bytes) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto context = reinterpret_cast<std::uintptr_t>(boost::fibers::context::active());
  const std::uintptr_t top = (context / page + 1) * page;
  volatile char here = 0;
  const auto at = reinterpret_cast<std::uintptr_t>(&here);
  if (at >= top || at < top - stack_bytes) {
    std::fputs("the task's stack is not where the test expects it\n", stderr);
    end_child(2);
  }
  auto* frame = static_cast<volatile char*>(alloca(at - (top - stack_bytes - 1024)));
  frame[0] = here;
}
// fault_outside_stacks() touches a page that is no fiber stack's and cannot be touched.
void fault_outside_stacks() {
  void* page = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  *static_cast<volatile char*>(page) = 1;
}

void exit_3(int) {
  end_child(3);
}

}  // namespace

TEST_CASE("A task that overruns its fiber stack kills the program at once, naming its kind",
          "[overflow]") {
  // AddressSanitizer leaves a fault to a handler the program installed, so that case is
  // left out under it.
  const Overflow c = GENERATE(values<Overflow>({
      {64, sy::Placement::fiber, false},
      {256, sy::Placement::cpu, false},
      {64, sy::Placement::blocking, !kAsan},
      {64, sy::Placement::fiber, !kAsan},
  }));
  CAPTURE(c.stack_kib, sy::to_string(c.placement), c.program_handler);
  const ChildRun run = in_child([c] {
    if (c.program_handler) std::signal(SIGSEGV, exit_3);
    sy::Config config = sy::test::small_config();
    config.executors.stack_kib = c.stack_kib;
    sy::Runtime rt(config);
    // A sleeping task holds a stack, likely the one below the next (the pool hands out the
    // lowest free one first): what an overrun would otherwise corrupt, unseen.
    std::atomic<bool> asleep{false};
    auto victim = rt.spawn("victim", [&asleep] {
      asleep = true;
      sy::this_task::sleep_for(std::chrono::milliseconds(100));
    });
    while (!asleep.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    const std::size_t bytes = std::size_t{c.stack_kib} * 1024;
    rt.spawn(
          "deep", [bytes] { overrun(bytes); }, sy::on(c.placement))
        .get();
    victim.get();
  });
  INFO(run.err);
  CHECK_FALSE((WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0));
#if SWITCHYARD_ASAN
  // AddressSanitizer owns SIGSEGV and reports the fault itself, at the overrun.
  CHECK_THAT(run.err, Contains("AddressSanitizer: stack-overflow"));
#else
  REQUIRE(WIFSIGNALED(run.status));
  CHECK(WTERMSIG(run.status) == SIGABRT);
  CHECK_THAT(run.err, Contains("switchyard: task of kind 'deep' overflowed its " +
                               std::to_string(c.stack_kib) +
                               " KiB fiber stack; raise executors.stack_kib in the config"));
#endif
}

TEST_CASE("A fault outside the guard pages goes to the program's own handler", "[overflow]") {
  const bool on_task = GENERATE(false, true);
  CAPTURE(on_task);
  const ChildRun run = in_child([on_task] {
    std::signal(SIGSEGV, exit_3);
    sy::Runtime rt(sy::test::small_config());
    rt.spawn("warm", [] {}).get();  // the runtime's workers are up
    if (on_task) {
      rt.spawn("wild", fault_outside_stacks).get();
    } else {
      fault_outside_stacks();
    }
  });
  INFO(run.err);
  REQUIRE(WIFEXITED(run.status));
  CHECK(WEXITSTATUS(run.status) == 3);
}

TEST_CASE("A fault outside the guard pages gets the default action without a handler",
          "[overflow]") {
  const bool on_task = GENERATE(false, true);
  CAPTURE(on_task);
  const ChildRun run = in_child([on_task] {
    sy::Runtime rt(sy::test::small_config());
    rt.spawn("warm", [] {}).get();
    if (on_task) {
      rt.spawn("wild", fault_outside_stacks).get();
    } else {
      fault_outside_stacks();
    }
  });
  INFO(run.err);
  CHECK_THAT(run.err, !Contains("overflowed"));
#if SWITCHYARD_ASAN
  CHECK_THAT(run.err, Contains("AddressSanitizer: SEGV"));
#elif SWITCHYARD_TSAN
  // ThreadSanitizer's own handler takes the default action's place, as ASan's does.
  CHECK_THAT(run.err, Contains("ThreadSanitizer: SEGV"));
#else
  REQUIRE(WIFSIGNALED(run.status));
  CHECK(WTERMSIG(run.status) == SIGSEGV);
#endif
}
