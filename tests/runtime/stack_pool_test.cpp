#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "fiber/asan_build.hpp"
#include "fiber/guard_budget.hpp"
#include "fiber/stack_pool.hpp"
#include "fiber/tsan_build.hpp"

namespace {

using switchyard::detail::GuardBudget;
using switchyard::detail::StackPool;
using Stack = boost::context::stack_context;

constexpr std::size_t kStackBytes = 64 * 1024;

// protection() is the permissions /proc/self/maps gives the page holding `p` ("rw-p",
// "---p"), or "" if nothing is mapped there.
std::string protection(const void* p) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::string found;
  if (FILE* f = std::fopen("/proc/self/maps", "r")) {
    unsigned long begin = 0;
    unsigned long end = 0;
    char perms[8] = {};
    char line[512];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      if (std::sscanf(line, "%lx-%lx %7s", &begin, &end, perms) == 3 && begin <= at && at < end) {
        found = perms;
        break;
      }
    }
    std::fclose(f);
  }
  return found;
}

const char* bottom_of(const Stack& s) {
  return static_cast<const char*>(s.sp) - s.size;
}

// resident() says whether the page holding `p` is in memory.
bool resident(const void* p) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  auto* start = reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(p) / page * page);
  unsigned char in = 0;
  REQUIRE(mincore(start, 1, &in) == 0);
  return (in & 1) != 0;
}

// faults() says whether a write to `p` kills a process with SIGSEGV or SIGBUS: a child's, so
// that the test goes on. Under a sanitizer, which may own SIGSEGV and report the fault before
// it exits, any end but the child's own exit 0 counts (the report goes nowhere).
bool faults(const void* p) {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, STDERR_FILENO);
    std::signal(SIGSEGV, SIG_DFL);
    std::signal(SIGBUS, SIG_DFL);
    *static_cast<volatile char*>(const_cast<void*>(p)) = 1;
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
#if SWITCHYARD_ASAN || SWITCHYARD_TSAN
  return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
#else
  return WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);
#endif
}

// markers_supported() says whether the kernel installs guard markers (madvise advice 102).
bool markers_supported() {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  void* p = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(p != MAP_FAILED);
  const bool yes = madvise(p, page, 102) == 0;
  munmap(p, page);
  return yes;
}

}  // namespace

TEST_CASE("Stacks have a protected guard page while the budget lasts, and none past it",
          "[overflow]") {
  // A process whose vm.max_map_count leaves room for one slab of guard pages, on a kernel
  // without guard markers.
  GuardBudget budget(2 * StackPool::kSlabGuardMappings);
  constexpr auto kProtected = StackPool::Guards::protected_only;
  {
    StackPool pool(kStackBytes, 0, budget, kProtected);
    std::vector<Stack> stacks;
    for (std::size_t i = 0; i < StackPool::kSlabStacks; ++i) stacks.push_back(pool.allocate());
    for (const Stack& s : stacks) {
      CHECK(s.size == kStackBytes);  // the configured size is what the task gets
      CHECK(protection(bottom_of(s)) == "rw-p");
      CHECK(protection(static_cast<const char*>(s.sp) - 1) == "rw-p");
      CHECK(protection(bottom_of(s) - 1) == "---p");
      CHECK(pool.in_guard(bottom_of(s) - 1));
      CHECK_FALSE(pool.in_guard(bottom_of(s)));
    }
    // The next slab's guard pages would pass the budget: its stacks have none.
    stacks.push_back(pool.allocate());
    const Stack& unguarded = stacks.back();
    CHECK(unguarded.size == kStackBytes);
    CHECK(protection(bottom_of(unguarded) - 1) == "rw-p");
    CHECK_FALSE(pool.in_guard(bottom_of(unguarded) - 1));
    CHECK_FALSE(pool.in_guard(&budget));

    // Freed and trimmed, the stacks' pages go back to the kernel, guard pages and all, and
    // stacks handed out again still have theirs.
    for (Stack& s : stacks) {
      // Every byte but the canary at the bottom.
      std::memset(const_cast<char*>(bottom_of(s)) + 8, 1, s.size - 8);
      CHECK(resident(bottom_of(s)));
      pool.deallocate(s);
    }
    pool.trim();
    for (const Stack& s : stacks) CHECK_FALSE(resident(bottom_of(s)));
    for (std::size_t i = 0; i < StackPool::kSlabStacks; ++i) {
      CHECK(protection(bottom_of(stacks[i]) - 1) == "---p");
    }
    Stack again = pool.allocate();
    CHECK(again.size == kStackBytes);
    CHECK(pool.in_guard(bottom_of(again) - 1) == (protection(bottom_of(again) - 1) == "---p"));
    pool.deallocate(again);
  }
  // A destroyed pool gives its share back: the next one's stacks are guarded.
  StackPool next(kStackBytes, 0, budget, kProtected);
  Stack s = next.allocate();
  CHECK(protection(bottom_of(s) - 1) == "---p");
  CHECK(next.in_guard(bottom_of(s) - 1));
  next.deallocate(s);
}

TEST_CASE("With guard markers every stack has a guard page, whatever the budget", "[overflow]") {
  if (!markers_supported()) {
    WARN("this kernel has no guard markers (MADV_GUARD_INSTALL, Linux 6.13): not tested here");
    return;
  }
  GuardBudget budget(0);  // no room for a single protected guard page
  StackPool pool(kStackBytes, 0, budget);
  std::vector<Stack> stacks;
  for (std::size_t i = 0; i < 2 * StackPool::kSlabStacks; ++i) stacks.push_back(pool.allocate());
  for (const Stack& s : stacks) {
    CHECK(pool.in_guard(bottom_of(s) - 1));
    CHECK_FALSE(pool.in_guard(bottom_of(s)));
    // A marker splits no mapping: the guard page shows as the stack's own.
    CHECK(protection(bottom_of(s) - 1) == "rw-p");
  }
  CHECK(faults(bottom_of(stacks.front()) - 1));
  CHECK(faults(bottom_of(stacks.back()) - 1));
  CHECK_FALSE(faults(bottom_of(stacks.back())));
  CHECK(budget.first_refusal());  // no slab met the budget's refusal before this
  // Trimmed, the stacks' pages go back to the kernel and their markers stay.
  for (Stack& s : stacks) {
    std::memset(const_cast<char*>(bottom_of(s)) + 8, 1, s.size - 8);
    pool.deallocate(s);
  }
  pool.trim();
  CHECK_FALSE(resident(bottom_of(stacks.back())));
  CHECK(faults(bottom_of(stacks.back()) - 1));
  CHECK(faults(bottom_of(stacks.front()) - 1));
}

TEST_CASE("A budget takes what fits and refuses the rest", "[overflow]") {
  GuardBudget budget(1000);
  CHECK(budget.limit() == 500);
  CHECK(budget.take(300));
  CHECK_FALSE(budget.take(201));
  CHECK(budget.take(200));
  CHECK_FALSE(budget.take(1));
  CHECK(budget.first_refusal());
  CHECK_FALSE(budget.first_refusal());
  budget.give_back(300);
  CHECK(budget.take(300));
  CHECK(GuardBudget(0).take(0));
  CHECK_FALSE(GuardBudget(0).take(1));
}

TEST_CASE(
    "Threads take and return stacks through their caches: no stack is out twice, and the "
    "pool counts exactly what is out",
    "[stack-pool]") {
  StackPool pool(kStackBytes, 0);
  constexpr std::size_t kThreads = 4;
  constexpr std::size_t kHeld = 3 * StackPool::kCacheStacks;  // more than a cache holds
  constexpr int kRounds = 200;
  std::vector<std::thread> threads;
  std::vector<int> clashes(kThreads, 0);
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Stack> held;
      for (int round = 0; round < kRounds; ++round) {
        // Each thread holds a different number each round, so caches fill, spill and refill.
        const std::size_t n = 1 + (t * 7 + static_cast<std::size_t>(round)) % kHeld;
        for (std::size_t i = 0; i < n; ++i) {
          held.push_back(pool.allocate());
          // A stack is ours while we hold it: the mark stays until we return it.
          std::memset(const_cast<char*>(bottom_of(held.back())) + 8, static_cast<int>(t + 1), 64);
        }
        for (Stack& s : held) {
          if (bottom_of(s)[8 + 63] != static_cast<char>(t + 1)) ++clashes[t];
          pool.deallocate(s);
        }
        held.clear();
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (std::size_t t = 0; t < kThreads; ++t) CHECK(clashes[t] == 0);
  const StackPool::Usage u = pool.usage();
  CHECK(u.in_use == 0);
  CHECK(u.peak_in_use >= kHeld);
  CHECK(u.peak_in_use <= kThreads * kHeld);

  // Every stack is free again, cached or shared: trim() returns them all (keep_hot is 0).
  pool.trim();
  CHECK(pool.usage().resident_bytes == 0);
}
