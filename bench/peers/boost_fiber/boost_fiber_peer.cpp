// The channel and mutex workloads written the way Boost.Fiber users write them: fibers on a few
// threads sharing one work_stealing scheduler group, Boost's own channels and mutex.
//  - pingpong: two fibers pass a number back and forth over two unbuffered_channels;
//  - channel: 4 sending and 4 receiving fibers on one buffered_channel;
//  - mutex: fibers each adding 1 to one counter under one boost::fibers::mutex.
// Idle threads sleep on a condition variable (work_stealing's `suspend`), as Go's and
// Switchyard's idle workers do after a short spin, instead of spinning for the whole run.
//
// Usage: boost-fiber-peer pingpong|channel|mutex [--pingpong-rounds N] [--channel-values N]
//        [--channel-capacity N] [--mutex-tasks N] [--mutex-increments N] [--threads N]

#include <boost/fiber/algo/work_stealing.hpp>
#include <boost/fiber/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "cxx_peer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Bounds of the flags: counts as switchyard-bench takes them; fibers fewer, since each holds a
// stack of its own from the start; threads as many as a large machine has cores.
constexpr std::uint64_t kMaxCount = 10'000'000;
constexpr std::uint64_t kMaxFibers = 100'000;
constexpr std::uint64_t kMaxThreads = 256;

// Sizes of a run, with the defaults of switchyard-bench and the Go peer.
struct Sizes {
  std::uint64_t rounds = 100000;
  std::uint64_t values = 1000000;
  std::uint64_t capacity = 1024;
  std::uint64_t mutex_tasks = 1000;
  std::uint64_t increments = 1000;
  std::uint64_t threads = 0;  // 0: one per hardware thread
};

// FiberThreads joins `n` threads, the calling one among them, into one work_stealing group for
// its lifetime; the others run stolen fibers until it ends. work_stealing keeps its group in
// static state: one per process.
class FiberThreads {
 public:
  explicit FiberThreads(std::uint32_t n) {
    for (std::uint32_t i = 1; i < n; ++i) {
      threads_.emplace_back([this, n] {
        boost::fibers::use_scheduling_algorithm<boost::fibers::algo::work_stealing>(n, true);
        std::unique_lock lk(mutex_);
        done_cv_.wait(lk, [this] { return done_; });
      });
    }
    boost::fibers::use_scheduling_algorithm<boost::fibers::algo::work_stealing>(n, true);
  }
  FiberThreads(const FiberThreads&) = delete;
  FiberThreads& operator=(const FiberThreads&) = delete;
  ~FiberThreads() {
    {
      std::lock_guard lk(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  std::vector<std::thread> threads_;
  boost::fibers::mutex mutex_;
  boost::fibers::condition_variable done_cv_;
  bool done_ = false;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// finish() prints a run's result when its checksum is `want`; else it says what `what` came to,
// and fails.
int finish(const char* workload, std::uint64_t tasks, double makespan, const char* what,
           std::uint64_t got, std::uint64_t want) {
  if (got != want) {
    std::fprintf(stderr, "%s: %s %llu, want %llu\n", workload, what,
                 static_cast<unsigned long long>(got), static_cast<unsigned long long>(want));
    return 1;
  }
  peers::print_result(
      {workload, "boost-fiber", tasks, makespan, makespan * 1e3, makespan * 1e3, got});
  return 0;
}

int run_pingpong(std::uint64_t rounds) {
  const auto start = Clock::now();
  boost::fibers::unbuffered_channel<std::uint64_t> ping;
  boost::fibers::unbuffered_channel<std::uint64_t> pong;
  std::uint64_t sum = 0;
  boost::fibers::fiber echo([&] {
    for (std::uint64_t v : ping) {
      sum += v;
      pong.push(v);
    }
  });
  boost::fibers::fiber driver([&] {
    std::uint64_t v = 0;
    for (std::uint64_t i = 0; i < rounds; ++i) {
      ping.push(i);
      pong.pop(v);
    }
    ping.close();
  });
  driver.join();
  echo.join();
  return finish("pingpong", 2, seconds_since(start), "the echoing fiber saw", sum,
                rounds * (rounds - 1) / 2);
}

int run_channel(std::uint64_t values, std::uint64_t capacity) {
  constexpr std::uint64_t senders = 4;
  constexpr std::uint64_t receivers = 4;
  const auto start = Clock::now();
  boost::fibers::buffered_channel<std::uint64_t> ch(capacity);
  std::vector<boost::fibers::fiber> sending;
  for (std::uint64_t s = 0; s < senders; ++s) {
    sending.emplace_back([&ch, s, values] {
      for (std::uint64_t v = s; v < values; v += senders) ch.push(v);
    });
  }
  std::vector<std::uint64_t> sums(receivers);
  std::vector<boost::fibers::fiber> receiving;
  for (std::uint64_t r = 0; r < receivers; ++r) {
    receiving.emplace_back([&ch, &sum = sums[r]] {
      for (std::uint64_t v : ch) sum += v;
    });
  }
  for (auto& f : sending) f.join();
  ch.close();
  std::uint64_t sum = 0;
  for (std::uint64_t r = 0; r < receivers; ++r) {
    receiving[r].join();
    sum += sums[r];
  }
  return finish("channel", senders + receivers, seconds_since(start), "the receivers summed", sum,
                values * (values - 1) / 2);
}

int run_mutex(std::uint64_t tasks, std::uint64_t increments) {
  const auto start = Clock::now();
  boost::fibers::mutex mutex;
  std::uint64_t counter = 0;  // guarded by mutex
  std::vector<boost::fibers::fiber> fibers;
  fibers.reserve(tasks);
  for (std::uint64_t t = 0; t < tasks; ++t) {
    fibers.emplace_back([&] {
      for (std::uint64_t i = 0; i < increments; ++i) {
        const std::lock_guard lk(mutex);
        ++counter;
      }
    });
  }
  for (auto& f : fibers) f.join();
  return finish("mutex", tasks, seconds_since(start), "the counter reached", counter,
                tasks * increments);
}

int usage() {
  std::fputs(
      "usage: boost-fiber-peer pingpong|channel|mutex [--pingpong-rounds N (1..10000000)] "
      "[--channel-values N (1..10000000)] [--channel-capacity N (a power of two, 2..1048576)] "
      "[--mutex-tasks N (1..100000)] [--mutex-increments N (1..10000000)] "
      "[--threads N (1..256; default one per hardware thread)]\n",
      stderr);
  return 2;
}

// refuse() says which flag is out of its bounds, then the usage.
int refuse(const char* flag, std::uint64_t value, const char* bounds) {
  std::fprintf(stderr, "boost-fiber-peer: %s %llu: must be %s\n", flag,
               static_cast<unsigned long long>(value), bounds);
  return usage();
}

// check() returns the exit status of a refusal for the first flag out of bounds, or 0.
int check(const Sizes& s) {
  const char* const counts = "1..10000000";
  if (s.rounds < 1 || s.rounds > kMaxCount) return refuse("--pingpong-rounds", s.rounds, counts);
  if (s.values < 1 || s.values > kMaxCount) return refuse("--channel-values", s.values, counts);
  // Boost's buffered_channel takes powers of two only, and holds one value fewer.
  if (s.capacity < 2 || s.capacity > (1u << 20) || (s.capacity & (s.capacity - 1)) != 0) {
    return refuse("--channel-capacity", s.capacity, "a power of two, 2..1048576");
  }
  if (s.mutex_tasks < 1 || s.mutex_tasks > kMaxFibers) {
    return refuse("--mutex-tasks", s.mutex_tasks, "1..100000");
  }
  if (s.increments < 1 || s.increments > kMaxCount) {
    return refuse("--mutex-increments", s.increments, counts);
  }
  if (s.threads > kMaxThreads) return refuse("--threads", s.threads, "1..256");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Sizes s;
  const std::string_view workload = argc >= 2 ? argv[1] : "";
  if (workload != "pingpong" && workload != "channel" && workload != "mutex") return usage();
  if (!peers::parse_flags(argc, argv, 2,
                          {{"--pingpong-rounds", &s.rounds},
                           {"--channel-values", &s.values},
                           {"--channel-capacity", &s.capacity},
                           {"--mutex-tasks", &s.mutex_tasks},
                           {"--mutex-increments", &s.increments},
                           {"--threads", &s.threads},
                           {"--server", {}}})) {
    return usage();
  }
  if (const int status = check(s); status != 0) return status;
  const auto threads = static_cast<std::uint32_t>(
      s.threads != 0 ? s.threads : std::max(1u, std::thread::hardware_concurrency()));
  FiberThreads group(threads);
  if (workload == "pingpong") return run_pingpong(s.rounds);
  if (workload == "channel") return run_channel(s.values, s.capacity);
  return run_mutex(s.mutex_tasks, s.increments);
}
