// seed_demo: the three classic cases, spawned with no placement, and where Switchyard put them.
//
// Usage: seed_demo HOST:PORT [CAP_SECONDS]   (`make demo` starts a delay server and runs this)
//
// What it shows: one program spawns three kinds of task through the same call, naming no
// executor:
//   sum   - 200 chunks of a big sum: pure CPU work;
//   fetch - 400 requests through a blocking client (plain POSIX socket calls to the delay
//           server at HOST:PORT, answered after 2 ms): a stand-in for a blocking client
//           library the runtime cannot see into;
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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

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

// fetch() asks the delay server for 64 bytes after 2 ms, through blocking calls on a new
// connection: connect, write and read each block the thread.
void fetch(const sockaddr_in& server) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "socket");
  const struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
    throw std::system_error(errno, std::generic_category(), "connect to the delay server");
  }
  const std::string request = "D 2000 64\n";
  if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    throw std::system_error(errno, std::generic_category(), "write to the delay server");
  }
  std::array<char, 64> reply{};
  for (std::size_t got = 0; got < reply.size();) {
    const ssize_t n = ::read(fd, reply.data() + got, reply.size() - got);
    if (n <= 0) throw std::runtime_error("the delay server closed before its reply");
    got += static_cast<std::size_t>(n);
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
void run_workload(Run& run, const sockaddr_in& server) {
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
          fetch(server);
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
  sockaddr_in server{};
  server.sin_family = AF_INET;
  const std::string address = argc > 1 ? argv[1] : "";
  const auto colon = address.rfind(':');
  if (argc < 2 || argc > 3 || colon == std::string::npos ||
      ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &server.sin_addr) != 1) {
    std::cerr << "usage: seed_demo HOST:PORT [CAP_SECONDS]\n"
                 "  HOST:PORT: a delay server (switchyard-bench delay-server); `make demo` "
                 "starts one\n";
    return 2;
  }
  server.sin_port = htons(static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1))));
  const auto cap = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(argc > 2 ? std::stod(argv[2]) : 4.0));

  std::cout << fmt::format(
      "{} sum chunks, {} blocking fetches from {} and {} one-second waits,\n"
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
    run_workload(run, server);
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
