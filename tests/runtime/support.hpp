// Helpers shared by the runtime tests.
#pragma once

#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include <switchyard/config.hpp>

namespace switchyard::test {

// kUnderTsan says the tests run under ThreadSanitizer. Its runtime waits on locks of its own
// inside instrumented code (__sanitizer::FutexWait, seen with perf), and a thread that does
// gives up the CPU voluntarily, which the measurements read as blocking: a CPU-bound task's
// shares then depend on where TSan waited.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SWITCHYARD_TEST_UNDER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(SWITCHYARD_TEST_UNDER_TSAN)
inline constexpr bool kUnderTsan = true;
#else
inline constexpr bool kUnderTsan = false;
#endif

// kUnderAsan says the tests run under AddressSanitizer, whose redzones and quarantine make every
// task and stack several times larger.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWITCHYARD_TEST_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(SWITCHYARD_TEST_UNDER_ASAN)
inline constexpr bool kUnderAsan = true;
#else
inline constexpr bool kUnderAsan = false;
#endif

// small_config() is the defaults with a short shutdown grace, so tests end quickly.
inline Config small_config() {
  Config c;
  c.executors.shutdown_grace = std::chrono::milliseconds(200);
  c.executors.blocking_idle = std::chrono::milliseconds(100);
  return c;
}

// thread_tid() is the kernel's id of the calling thread. Not std::this_thread::get_id():
// pthread_self() is declared const, so the compiler may reuse its value across a suspension
// after which the task runs on another thread (it does at -O3).
inline long thread_tid() {
  return ::syscall(SYS_gettid);
}

// one_worker() runs each executor with Processors on one thread, so that every task of a test
// shares it, and without the watchdog, which would hand a busy worker's tasks on.
inline Config one_worker() {
  Config c = small_config();
  c.executors.fiber_workers = 1;
  c.executors.cpu_threads = 1;
  c.executors.watchdog = false;
  return c;
}

// entries() counts the entries of a /proc directory (threads, open descriptors).
inline std::size_t entries(const std::string& dir) {
  std::size_t n = 0;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    closedir(d);
  }
  return n;
}
inline std::size_t thread_count() {
  // ThreadSanitizer starts a thread of its own at the process's first pthread_create: one is
  // started first, so that thread is there before any count is taken.
  static const bool primed = [] {
    std::thread([] {}).join();
    return true;
  }();
  (void)primed;
  return entries("/proc/self/task");
}
// fd_count() counts the process's open descriptors but its pipes: the runtime opens none, and
// ThreadSanitizer opens two to its symbolizer the first time it must name a frame (to match a
// suppression), at a moment no test chooses.
inline std::size_t fd_count() {
  std::size_t n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      char target[64] = {};
      const std::string link = std::string("/proc/self/fd/") + e->d_name;
      const bool pipe = ::readlink(link.c_str(), target, sizeof target - 1) > 0 &&
                        std::string_view(target).starts_with("pipe:");
      if (!pipe) ++n;
    }
    closedir(d);
  }
  return n;
}

// resident_bytes() is the process's resident memory, from /proc/self/statm.
inline std::size_t resident_bytes() {
  std::size_t total_pages = 0;
  std::size_t resident_pages = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%zu %zu", &total_pages, &resident_pages) != 2) resident_pages = 0;
    std::fclose(f);
  }
  return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

// spin_for() keeps the CPU busy for about `d` of this thread's CPU time.
inline void spin_for(std::chrono::nanoseconds d) {
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  };
  const auto end = cpu_now() + d;
  volatile unsigned long sink = 0;
  while (cpu_now() < end) {
    for (int i = 0; i < 1000; ++i) sink = sink + static_cast<unsigned long>(i);
  }
}

}  // namespace switchyard::test
