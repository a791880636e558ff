// seed_demo: the three classic cases, spawned with no placement, and where Switchyard put them.
//
// Usage: seed_demo HOST:PORT [CAP_SECONDS]   (`make demo` starts a delay server and runs this)
//
// What it shows: one program spawns three kinds of task through the same call, naming no
// executor:
//   sum   - 200 chunks of a big sum: pure CPU work;
//   fetch - 400 HTTP requests through libcurl's easy interface (curl_easy_perform blocks
//           its thread) to the delay server at HOST:PORT, answered after 2 ms: a blocking
//           client library the runtime cannot see into;
//   wait  - 5000 slow waits through Switchyard's own timers (1 s each).
// Every kind starts on the fiber executor; after its first tasks are measured the policy
// moves it. Then the same workload runs again with every task forced by hint onto one
// executor, once per executor, each run on a fresh runtime and cut off after CAP_SECONDS
// (default 4).
//
// What to look for: in the report, `sum` ends on the cpu pool (its cpu share is high), `fetch`
// on the blocking pool (its blocked share is high, or the watchdog caught it blocking a fiber
// worker), `wait` stays on fibers (wait share high); the indented "at ... s" line under a kind
// says when it moved and by which rule, with the measured figure and the threshold. In the
// last table (every run does the same tasks), the run without hints finishes first: on
// fibers, the sums and the blocking calls hold the few fiber workers; on the cpu pool's one
// thread per core, and on the blocking pool's 64 threads, each wait holds a thread for its
// whole second, so those runs are cut off ("> 4 s", with how many of the kind's tasks had
// finished by then).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <curl/curl.h>
#include <fmt/format.h>

#include <switchyard/spin.hpp>
#include <switchyard/switchyard.hpp>

namespace sy = switchyard;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kSums = 200;
constexpr int kFetches = 400;
constexpr int kWaits = 5000;
// kNoCap is the run without hints' cut-off: a safety net, never reached.
constexpr std::chrono::minutes kNoCap{1};

constexpr std::size_t kReplyBytes = 64;

// fetch() asks the delay server for 64 bytes after 2 ms over HTTP, with libcurl's easy
// interface on a new handle, as a program calling a REST service often does:
// curl_easy_perform() connects, sends and waits for the answer, blocking the thread.
void fetch(const std::string& url) {
  const std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw std::runtime_error("curl_easy_init failed");
  std::size_t received = 0;
  const auto count = +[](char*, std::size_t size, std::size_t n, void* total) {
    *static_cast<std::size_t*>(total) += size * n;
    return size * n;
  };
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 10'000L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, count);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &received);
  if (const CURLcode rc = curl_easy_perform(curl.get()); rc != CURLE_OK) {
    throw std::runtime_error(fmt::format("GET {}: {}", url, curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200 || received != kReplyBytes) {
    throw std::runtime_error(fmt::format("GET {}: status {}, {} bytes, expected 200 and {}", url,
                                         status, received, kReplyBytes));
  }
}

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Tally counts a kind's finished tasks and notes when its last one finished.
struct Tally {
  int tasks;
  std::atomic<int> finished{0};
  std::atomic<Clock::time_point> last{};
  void done() {
    if (++finished == tasks) last = Clock::now();
  }
};

// Run is one run of the workload: its hint, its cut-off, and a tally per kind.
struct Run {
  sy::Hint hint;
  Clock::duration cap;
  Clock::time_point start{};
  std::array<Tally, 3> kinds{Tally{kSums}, Tally{kFetches}, Tally{kWaits}};

  // when() is when `kind`'s last task finished, or how far it got before the run was cut off.
  std::string when(const Tally& kind) const {
    if (kind.finished < kind.tasks) {
      return fmt::format("> {:.0f} s ({}/{})", seconds(cap), kind.finished.load(), kind.tasks);
    }
    return fmt::format("{:.2f} s", seconds(kind.last.load() - start));
  }
  // makespan() is when the last task of all finished.
  std::string makespan() const {
    Clock::time_point end = start;
    for (const Tally& kind : kinds) {
      if (kind.finished < kind.tasks) return fmt::format("> {:.0f} s", seconds(cap));
      end = std::max(end, kind.last.load());
    }
    return fmt::format("{:.2f} s", seconds(end - start));
  }
};

// run_workload() spawns the three kinds with the run's hint on a fresh runtime and waits for
// them, for at most the run's cap; then it shuts the runtime down, cancelling what is left.
// With no hint it prints the runtime's report: what it chose, and why.
void run_workload(Run& run, const std::string& url) {
  sy::Runtime rt;
  std::atomic<std::uint64_t> checksum{0};  // keeps the sums from being optimised away
  std::vector<sy::Future<void>> tasks;
  Tally& sums = run.kinds[0];
  Tally& fetches = run.kinds[1];
  Tally& waits = run.kinds[2];
  run.start = Clock::now();
  for (int chunk = 0; chunk < kSums; ++chunk) {
    tasks.push_back(rt.spawn(
        "sum",
        [&, chunk] {
          checksum += sy::spin(static_cast<std::uint64_t>(chunk), 2'000'000);
          sums.done();
        },
        run.hint));
  }
  for (int i = 0; i < kFetches; ++i) {
    tasks.push_back(rt.spawn(
        "fetch",
        [&] {
          fetch(url);
          fetches.done();
        },
        run.hint));
  }
  for (int i = 0; i < kWaits; ++i) {
    tasks.push_back(rt.spawn(
        "wait",
        [&] {
          sy::this_task::sleep_for(std::chrono::seconds(1));
          waits.done();
        },
        run.hint));
  }
  const auto deadline = run.start + run.cap;
  for (auto& t : tasks) t.wait_for(deadline - Clock::now());
  if (!run.hint.placement) rt.report().print(std::cout);
  rt.shutdown(std::chrono::milliseconds(0));
  for (auto& t : tasks) {
    try {
      t.get();  // rethrows a failed fetch
    } catch (const sy::TaskCancelled&) {
      // cut off by the cap
    }
  }
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string address = argc > 1 ? argv[1] : "";
  if (argc < 2 || argc > 3 || address.find(':') == std::string::npos) {
    std::cerr << "usage: seed_demo HOST:PORT [CAP_SECONDS]\n"
                 "  HOST:PORT: a delay server (switchyard-bench delay-server); `make demo` "
                 "starts one\n";
    return 2;
  }
  // Before any thread starts: curl_global_init is not thread-safe.
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    throw std::runtime_error("curl_global_init");
  const std::string url = fmt::format("http://{}/delay?us=2000&bytes={}", address, kReplyBytes);
  const auto cap = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(argc > 2 ? std::stod(argv[2]) : 4.0));

  std::cout << fmt::format(
      "{} sum chunks, {} blocking libcurl fetches from {} and {} one-second waits,\n"
      "spawned with no placement. In the report, cpu, block and wait are shares of the time a\n"
      "kind's tasks were running or waiting (not queued): what the task does. queued is the\n"
      "share of wall time spent waiting for a thread: how loaded the executor was.\n\n",
      kSums, kFetches, address, kWaits);
  std::array<Run, 4> runs{Run{{}, kNoCap}, Run{sy::on(sy::Placement::fiber), cap},
                          Run{sy::on(sy::Placement::cpu), cap},
                          Run{sy::on(sy::Placement::blocking), cap}};
  for (Run& run : runs) {
    if (run.hint.placement) {
      std::cout << "\nAgain, every task forced onto " << sy::to_string(*run.hint.placement)
                << "...\n";
    }
    run_workload(run, url);
  }

  std::cout << "\nThe same workload; when each kind's last task finished, and the makespan:\n";
  std::cout << fmt::format("{:<22} {:>18} {:>18} {:>18} {:>9}\n", "run", "sum", "fetch", "wait",
                           "makespan");
  for (const Run& run : runs) {
    const std::string name = run.hint.placement
                                 ? fmt::format("all forced to {}", to_string(*run.hint.placement))
                                 : "placed by Switchyard";
    std::cout << fmt::format("{:<22} {:>18} {:>18} {:>18} {:>9}\n", name, run.when(run.kinds[0]),
                             run.when(run.kinds[1]), run.when(run.kinds[2]), run.makespan());
  }
} catch (const std::exception& e) {
  std::cerr << "seed_demo: " << e.what() << '\n';
  return 1;
}
