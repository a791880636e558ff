// crawler: a pipeline whose three stages belong on three different executors.
//
// Usage: crawler HOST:PORT OUT_DIR [PAGES [DEADLINE_S]]
//   HOST:PORT: a delay server; start one with
//   build/bench/switchyard-bench/switchyard-bench delay-server --addr 127.0.0.1:0 &
//   (it prints its address).
//   PAGES: how many pages to crawl, 1 to 1,000,000 (default 300).
//   DEADLINE_S: seconds the crawl may take, over 0 and up to 86,400 (default 600).
//
// What it shows: each of PAGES pages goes through three kinds of task, spawned with no
// placement:
//   fetch - downloads the page (16 KiB, sent after 20 ms) through switchyard::net, whose
//           calls suspend the task while it waits: slow I/O;
//   parse - digests the page: CPU work (a stand-in for a real parser);
//   save  - writes the parsed page to OUT_DIR/page-N.txt and fsyncs it: blocking file I/O,
//           which holds its thread in the kernel while the disk writes.
// The stages are joined by channels: a feeder sends the page numbers, and each stage's
// conveyor spawns a task per item it receives (this_task::spawn, at most kInFlight at a time)
// whose result goes on to the next stage's channel. Every task belongs to one TaskGroup with
// the deadline: when it passes, or on Ctrl-C (SIGINT), the group is cancelled, every task
// unwinds, and the crawler says how far it got.
//
// What to look for: the closing table puts fetch on fiber, parse on cpu and save on blocking,
// each with the shares of its tasks' active time that decided it and the rule of its move.
// Above it, every task the crawl spawned is accounted for, however the crawl ended, and the
// most futures the crawler held at once: those of the tasks that may still run, not all.
// Exit status: 0 when every page was saved, 124 when the deadline passed, 130 on Ctrl-C.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <switchyard/switchyard.hpp>

namespace sy = switchyard;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kPageBytes = 16 * 1024;
// kInFlight bounds each stage's running tasks, and so the delay server's connections.
constexpr std::ptrdiff_t kInFlight = 64;
constexpr std::size_t kChannelCapacity = 64;

// fetch() asks the delay server for a page; the task waits on a fiber, its thread does not.
std::string fetch(const std::string& server) {
  sy::net::Socket socket = sy::net::connect(server, std::chrono::seconds(5));
  socket.write_all(fmt::format("D 20000 {}\n", kPageBytes), std::chrono::seconds(5));
  std::string page(kPageBytes, '\0');
  socket.read_exact(page.data(), page.size(), std::chrono::seconds(5));
  return page;
}

// parse() digests the page a few hundred times over (FNV-1a), a few milliseconds of CPU, and
// returns the page under a line that names it. A cancelled crawl stops it between rounds.
std::string parse(int n, const std::string& page) {
  std::uint64_t digest = 0xcbf29ce484222325;
  for (int round = 0; round < 300; ++round) {
    sy::this_task::throw_if_cancelled();
    for (const char c : page) digest = (digest ^ static_cast<unsigned char>(c)) * 0x100000001b3;
  }
  return fmt::format("page {}: {} bytes, digest {:016x}\n{}", n, page.size(), digest, page);
}

// save() writes `text` to `path` and waits until it is on disk.
void save(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!ok) throw std::system_error(error, std::generic_category(), "write " + path.string());
}

// Page is one page between stages.
struct Page {
  int n = 0;
  std::string text;
};

// Ledger keeps the futures of the crawl's tasks, and counts them by how they resolved: the
// crawl lost no task if every future gave a value or an error. It holds the futures of the
// tasks that may still be running, not every task's: as the list doubles, it resolves the
// futures that are ready and drops them, so a crawl of a million pages holds no more than
// about twice the futures of the tasks that can run at once.
class Ledger {
 public:
  // Outcome counts the futures by how they resolved.
  struct Outcome {
    std::size_t done = 0;
    std::size_t failed = 0;
    std::size_t cancelled = 0;

    std::size_t resolved() const { return done + failed + cancelled; }
  };

  // add() is called right after a spawn; a std::mutex, never held across a wait, so that a
  // cancelled task cannot fail to record what it spawned.
  void add(sy::Future<void> future) {
    const std::lock_guard lock(mutex_);
    ++spawned_;
    futures_.push_back(std::move(future));
    most_held_ = std::max(most_held_, futures_.size());
    if (futures_.size() >= resolve_at_) {
      std::erase_if(futures_, [this](sy::Future<void>& f) {
        if (!f.ready()) return false;
        resolve(f);
        return true;
      });
      resolve_at_ = std::max(kFirstResolve, 2 * futures_.size());
    }
  }
  // spawned() is how many tasks were recorded; most_held() the most futures held at once.
  std::size_t spawned() {
    const std::lock_guard lock(mutex_);
    return spawned_;
  }
  std::size_t most_held() {
    const std::lock_guard lock(mutex_);
    return most_held_;
  }
  // settle() waits for every future still held, and returns how they all resolved.
  Outcome settle() {
    const std::lock_guard lock(mutex_);
    for (auto& f : futures_) resolve(f);
    futures_.clear();
    return outcome_;
  }

 private:
  // kFirstResolve is how many futures the list holds before it first drops the resolved.
  static constexpr std::size_t kFirstResolve = 256;

  // resolve() gets `f` (waiting, if it is not ready) and counts how it resolved.
  void resolve(sy::Future<void>& f) {
    try {
      f.get();
      ++outcome_.done;
    } catch (const sy::TaskCancelled&) {
      ++outcome_.cancelled;
    } catch (...) {
      ++outcome_.failed;
    }
  }

  std::mutex mutex_;
  std::vector<sy::Future<void>> futures_;
  std::size_t resolve_at_ = kFirstResolve;
  std::size_t spawned_ = 0;
  std::size_t most_held_ = 0;
  Outcome outcome_;
};

// Stage is one stage's kind and its bound on running tasks. It outlives the group, so its
// tasks may release their permits after the conveyor that spawned them has unwound.
struct Stage {
  std::string_view kind;
  sy::Semaphore permits{kInFlight};
};

// Permit is a stage's permit, held by one task of it until the task's callable is destroyed
// (it ran, or was cancelled before it started).
class Permit {
 public:
  explicit Permit(sy::Semaphore& s) : semaphore_(&s) { s.acquire(); }
  Permit(Permit&& other) noexcept : semaphore_(std::exchange(other.semaphore_, nullptr)) {}
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;
  Permit& operator=(Permit&&) = delete;
  ~Permit() {
    if (semaphore_ != nullptr) semaphore_->release();
  }

 private:
  sy::Semaphore* semaphore_;
};

// convey() runs a stage: for each item of `in` it spawns a task of the stage's kind that calls
// `handle(item)`, then waits until all of them have ended. The tasks join the conveyor's group.
// A cancelled crawl unwinds it from its next wait.
template <class In, class Handle>
void convey(Stage& stage, sy::Channel<In>& in, Ledger& ledger, Handle handle) {
  for (In& item : in) {
    Permit permit(stage.permits);
    ledger.add(sy::this_task::spawn(
        stage.kind, [handle, permit = std::move(permit), item = std::move(item)]() mutable {
          handle(std::move(item));
        }));
  }
  // Every permit back: the stage's tasks have all ended.
  for (std::ptrdiff_t i = 0; i < kInFlight; ++i) stage.permits.acquire();
  stage.permits.release(kInFlight);
}

// argument() is argv's `what` as a number in [low, high], or an error that names it.
template <class T>
T argument(std::string_view text, const char* what, T low, T high) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  // Written so that a NaN is out of range too.
  if (error != std::errc() || end != text.data() + text.size() ||
      !(value >= low && value <= high)) {
    throw std::invalid_argument(
        fmt::format("{} must be a number from {} to {}, not '{}'", what, low, high, text));
  }
  return value;
}

// interrupt_watch() cancels `group` when SIGINT (blocked in every thread) arrives; it is
// itself cancelled once the crawl has ended.
void interrupt_watch(int signals, sy::TaskGroup& group, std::atomic<bool>& interrupted) {
  for (;;) {
    (void)sy::wait_readable(signals);
    signalfd_siginfo info;
    if (::read(signals, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      interrupted = true;
      group.cancel();
    }
  }
}

void print_kinds(const sy::Report& report) {
  std::cout << "kind       placement   cpu  block  wait   (shares of its tasks' active time)\n";
  for (const auto& kind : report.kinds) {
    std::cout << fmt::format("{:<10} {:<9} {:>5.0f}% {:>5.0f}% {:>4.0f}%\n", kind.name,
                             to_string(kind.placement), 100 * kind.active_cpu_share,
                             100 * kind.active_blocked_share, 100 * kind.active_wait_share);
    for (const auto& move : kind.history) std::cout << "    " << to_string(move) << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 3 || argc > 5) {
    std::cerr << "usage: crawler HOST:PORT OUT_DIR [PAGES [DEADLINE_S]]\n";
    return 2;
  }
  const std::string server = argv[1];
  const fs::path out_dir = argv[2];
  const int pages = argc > 3 ? argument(argv[3], "PAGES", 1, 1'000'000) : 300;
  const double deadline_s = argc > 4 ? argument(argv[4], "DEADLINE_S", 0.001, 86'400.0) : 600.0;
  fs::create_directories(out_dir);

  // SIGINT is blocked in every thread (the runtime's inherit the mask) and read from a
  // signalfd by a task: a handler could not cancel a group safely.
  sigset_t interrupt;
  sigemptyset(&interrupt);
  sigaddset(&interrupt, SIGINT);
  if (const int e = pthread_sigmask(SIG_BLOCK, &interrupt, nullptr); e != 0) {
    throw std::system_error(e, std::generic_category(), "pthread_sigmask");
  }
  const int signals = ::signalfd(-1, &interrupt, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signals < 0) throw std::system_error(errno, std::generic_category(), "signalfd");

  sy::Runtime rt;
  Stage fetching{"fetch"};
  Stage parsing{"parse"};
  Stage saving{"save"};
  sy::Channel<int> numbers(kChannelCapacity);
  sy::Channel<Page> fetched(kChannelCapacity);
  sy::Channel<Page> parsed(kChannelCapacity);
  Ledger ledger;
  std::atomic<int> saved{0};
  std::atomic<bool> interrupted{false};
  std::cout << fmt::format("crawling {} pages from {} (deadline {} s; Ctrl-C stops)\n", pages,
                           server, deadline_s)
            << std::flush;
  const auto start = std::chrono::steady_clock::now();

  bool timed_out = false;
  std::exception_ptr failure;
  {
    sy::TaskGroup group(rt, std::chrono::milliseconds(std::llround(deadline_s * 1000)));
    auto watch = rt.spawn(
        "interrupts", [&] { interrupt_watch(signals, group, interrupted); },
        sy::on(sy::Placement::fiber));
    // A stage closes its output once it has sent all it will: only then, so no task ever
    // sends on a closed channel. A cancelled crawl closes none; its tasks all unwind.
    const sy::Hint conveyor = sy::on(sy::Placement::fiber);
    ledger.add(group.spawn(
        "conveyor",
        [&] {
          for (int n = 0; n < pages; ++n) numbers.send(n);
          numbers.close();
        },
        conveyor));
    ledger.add(group.spawn(
        "conveyor",
        [&] {
          convey(fetching, numbers, ledger, [&](int n) { fetched.send(Page{n, fetch(server)}); });
          fetched.close();
        },
        conveyor));
    ledger.add(group.spawn(
        "conveyor",
        [&] {
          convey(parsing, fetched, ledger, [&](Page p) {
            parsed.send(Page{p.n, parse(p.n, p.text)});
          });
          parsed.close();
        },
        conveyor));
    ledger.add(group.spawn(
        "conveyor",
        [&] {
          convey(saving, parsed, ledger, [&](const Page& p) {
            save(out_dir / fmt::format("page-{}.txt", p.n), p.text);
            saved.fetch_add(1);
          });
        },
        conveyor));
    try {
      group.wait();
    } catch (const sy::DeadlineExceeded&) {
      timed_out = true;
    } catch (...) {
      failure = std::current_exception();
    }
    watch.cancel();
    try {
      watch.get();
    } catch (const sy::TaskCancelled&) {
      // How the watch ends.
    }
  }
  ::close(signals);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  const Ledger::Outcome outcome = ledger.settle();
  if (failure) std::rethrow_exception(failure);

  if (interrupted) {
    std::cout << fmt::format("interrupted: saved {} of {} pages in {:.2f} s\n", saved.load(), pages,
                             took.count());
  } else if (timed_out) {
    std::cout << fmt::format("deadline of {} s passed: saved {} of {} pages in {:.2f} s\n",
                             deadline_s, saved.load(), pages, took.count());
  } else {
    std::cout << fmt::format("crawled {} pages from {} into {} in {:.2f} s\n", saved.load(), server,
                             out_dir.string(), took.count());
  }
  const std::size_t spawned = ledger.spawned();
  std::cout << fmt::format(
      "tasks: {} spawned, {} resolved ({} done, {} failed, {} cancelled), {} lost\n"
      "futures: at most {} held at once\n\n",
      spawned, outcome.resolved(), outcome.done, outcome.failed, outcome.cancelled,
      spawned - outcome.resolved(), ledger.most_held());
  print_kinds(rt.report());
  return interrupted ? 130 : timed_out ? 124 : 0;
} catch (const std::exception& e) {
  std::cerr << "crawler: " << e.what() << '\n';
  return 1;
}
