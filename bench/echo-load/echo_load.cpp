// echo-load: the load client of the echo benchmark. It opens --conns connections to a line-echo
// server and has each ping-pong a --line-bytes line (the last byte '\n'): send, read the echo
// back, check it, send again, for --warmup-seconds and then --seconds, the measured time. Every
// server is driven by this one program, so the servers are measured the same way.
//
// Usage: echo-load --server HOST:PORT [--conns 100] [--seconds 2] [--warmup-seconds 1]
//                  [--line-bytes 64] [--threads 1]
//
// The connections are opened first, in batches of kBatch, each batch echoing one line before
// the next opens (so the server has accepted them and its accept queue never overflows). Then
// every connection sends at once; the warm-up lets that burst settle into the steady state
// that the measured time sees. Each of --threads threads drives its share with epoll,
// non-blocking sockets and no allocation per request. It prints one JSON object: requests
// (round trips completed within the measured time), req_per_s, p50_ms, p99_ms and max_ms of
// the round trips (within 1.6%), connect_s, cpu_s (this process, measured time only) and
// busy_share (cpu_s over threads x seconds: near 1, the client rather than the server set the
// pace).
//
// Exit status: 0; 1 when a connection failed or an echo differed (`errors`, `first_error`);
// 2 for a bad command line.
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "cxx_peer.hpp"
#include "file_limit.hpp"
#include "latency_histogram.hpp"
#include "process_usage.hpp"

namespace echo_load {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kMaxConns = 100'000;
constexpr std::uint64_t kMaxSeconds = 3600;
constexpr std::uint64_t kMaxLineBytes = 65536;
constexpr std::uint64_t kMaxThreads = 64;
constexpr std::size_t kBatch = 256;

struct Options {
  std::string server;
  std::uint64_t conns = 100;
  std::uint64_t seconds = 2;
  std::uint64_t warmup_seconds = 1;
  std::uint64_t line_bytes = 64;
  std::uint64_t threads = 1;
};

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Connection is one client socket and where its current round trip stands.
struct Connection {
  int fd = -1;
  std::string line;          // what it sends, the last byte '\n'
  std::vector<char> echo;    // what has come back of the current line
  std::size_t received = 0;  // bytes of `echo` filled
  Clock::time_point sent;
};

// Totals are what a thread leaves behind.
struct Totals {
  LatencyHistogram latencies;
  std::uint64_t errors = 0;
  std::string first_error;

  void error(const std::string& what) {
    if (errors++ == 0) first_error = what;
  }
};

sockaddr_storage resolve(const std::string& server, socklen_t& length) {
  const auto colon = server.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("--server " + server + ": no port");
  std::string host = server.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), server.c_str() + colon + 1, &hints, &found);
      rc != 0) {
    throw std::invalid_argument("--server " + server + ": " + ::gai_strerror(rc));
  }
  sockaddr_storage address{};
  std::memcpy(&address, found->ai_addr, found->ai_addrlen);
  length = found->ai_addrlen;
  ::freeaddrinfo(found);
  return address;
}

// Driver runs one thread's connections.
class Driver {
 public:
  Driver(const sockaddr_storage& address, socklen_t length, std::size_t first, std::size_t count,
         std::size_t line_bytes)
      : address_(address), length_(length), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_ < 0) fail("epoll_create1");
    connections_.resize(count);
    for (std::size_t i = 0; i < count; ++i) {
      // Each connection's line carries its number, so that crossed replies are caught.
      std::string line = std::to_string(first + i) + ' ';
      line.resize(std::max(line.size() + 1, line_bytes), 'x');
      line.back() = '\n';
      connections_[i].line = std::move(line);
      connections_[i].echo.resize(connections_[i].line.size());
    }
  }
  ~Driver() {
    for (Connection& c : connections_) {
      if (c.fd >= 0) ::close(c.fd);
    }
    ::close(epoll_);
  }
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // open() connects every connection, a batch at a time, each echoing one line.
  void open() {
    for (std::size_t begin = 0; begin < connections_.size(); begin += kBatch) {
      const std::size_t end = std::min(begin + kBatch, connections_.size());
      for (std::size_t i = begin; i < end; ++i) connect(i);
      std::size_t echoed = 0;
      const std::size_t dropped_before = dropped_;
      for (std::size_t i = begin; i < end; ++i) send(connections_[i]);
      // Each connection of the batch either echoes its line or is dropped.
      poll_until([&] { return echoed + (dropped_ - dropped_before) == end - begin; },
                 Clock::now() + std::chrono::seconds(30),
                 [&](Connection&, Clock::time_point) {
                   ++echoed;
                   return false;
                 });
      if (echoed + (dropped_ - dropped_before) < end - begin) {
        throw std::runtime_error("no echo within 30 s of connecting");
      }
    }
  }

  // run() ping-pongs every connection until `end`, counting the round trips that finish
  // from `count_from` on.
  void run(Clock::time_point count_from, Clock::time_point end) {
    const Clock::time_point start = Clock::now();
    for (Connection& c : connections_) {
      c.sent = start;
      send(c);
    }
    poll_until([] { return false; }, end,
               [&](Connection& c, Clock::time_point now) {
                 if (now >= count_from) totals_.latencies.add(now - c.sent);
                 c.sent = now;
                 return true;
               });
  }

  Totals& totals() noexcept { return totals_; }

 private:
  void connect(std::size_t i) {
    Connection& c = connections_[i];
    c.fd = ::socket(address_.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c.fd < 0) fail("socket");
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // Blocking: on loopback the handshake completes at once while the accept queue has room.
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&address_), length_) != 0) {
      fail("connect");
    }
    if (::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK) != 0) fail("fcntl");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event) != 0) fail("epoll_ctl");
  }

  // send() writes the connection's line; a line this short fits in the socket's buffer.
  void send(Connection& c) {
    c.received = 0;
    const ssize_t n = ::send(c.fd, c.line.data(), c.line.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(c.line.size())) fail("send");
  }

  // drop() counts a connection that failed as an error, and stops reading it.
  void drop(Connection& c, const std::string& why) {
    totals_.error(why);
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    ++dropped_;
  }

  // poll_until() reads echoes until done() or `deadline`; on_echo(connection, now) is called
  // for each complete one and returns whether to send the line again.
  template <class Done, class OnEcho>
  void poll_until(Done done, Clock::time_point deadline, OnEcho on_echo) {
    std::vector<epoll_event> events(kBatch);
    while (!done()) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return;
      const int ready = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                                     static_cast<int>(left));
      if (ready < 0) {
        if (errno == EINTR) continue;
        fail("epoll_wait");
      }
      for (int e = 0; e < ready; ++e) {
        Connection& c = connections_[events[static_cast<std::size_t>(e)].data.u64];
        const ssize_t n = ::recv(c.fd, c.echo.data() + c.received, c.echo.size() - c.received, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) {
          drop(c, n == 0 ? "the server closed a connection" : std::strerror(errno));
          continue;
        }
        // Checked as it arrives, so that a server answering something else is caught at once.
        if (std::memcmp(c.echo.data() + c.received, c.line.data() + c.received,
                        static_cast<std::size_t>(n)) != 0) {
          drop(c, "an echo differs from its line");
          continue;
        }
        c.received += static_cast<std::size_t>(n);
        if (c.received < c.echo.size()) continue;
        const Clock::time_point now = Clock::now();
        if (now >= deadline) return;
        if (on_echo(c, now)) send(c);
      }
    }
  }

  sockaddr_storage address_;
  socklen_t length_;
  int epoll_;
  std::vector<Connection> connections_;
  Totals totals_;
  std::size_t dropped_ = 0;  // connections that failed
};

int run(const Options& o) {
  peers::raise_file_limit("--conns", o.conns);
  socklen_t length = 0;
  const sockaddr_storage address = resolve(o.server, length);
  const std::size_t threads = std::min<std::size_t>(o.threads, o.conns);
  std::vector<std::unique_ptr<Driver>> drivers;
  for (std::size_t t = 0; t < threads; ++t) {
    const std::size_t first = o.conns * t / threads;
    const std::size_t last = o.conns * (t + 1) / threads;
    drivers.push_back(std::make_unique<Driver>(address, length, first, last - first, o.line_bytes));
  }
  const Clock::time_point connecting = Clock::now();
  for (auto& d : drivers) d->open();
  const double connect_s = std::chrono::duration<double>(Clock::now() - connecting).count();

  const Clock::time_point count_from = Clock::now() + std::chrono::seconds(o.warmup_seconds);
  const Clock::time_point end = count_from + std::chrono::seconds(o.seconds);
  std::vector<std::thread> running;
  std::mutex failure_mutex;
  std::string failure;
  for (auto& d : drivers) {
    running.emplace_back([&, driver = d.get()] {
      try {
        driver->run(count_from, end);
      } catch (const std::exception& e) {
        const std::lock_guard lock(failure_mutex);
        failure = e.what();
      }
    });
  }
  std::this_thread::sleep_until(count_from);
  const double cpu_before = switchyard::bench::process_usage().cpu_s;
  for (std::thread& t : running) t.join();
  const double cpu_s = switchyard::bench::process_usage().cpu_s - cpu_before;
  // Every round trip counted finished within [start, end].
  const auto seconds = static_cast<double>(o.seconds);

  Totals all;
  for (auto& d : drivers) {
    all.latencies.merge(d->totals().latencies);
    if (d->totals().errors > 0 && all.errors == 0) all.first_error = d->totals().first_error;
    all.errors += d->totals().errors;
  }
  if (!failure.empty()) all.error(failure);
  const auto ms = [](std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; };
  std::printf(
      "{\"workload\":\"echo\",\"conns\":%" PRIu64 ",\"seconds\":%.0f,\"requests\":%" PRIu64
      ",\"req_per_s\":%.1f,\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"max_ms\":%.4f,\"connect_s\":%.3f,"
      "\"threads\":%zu,\"cpu_s\":%.3f,\"busy_share\":%.3f,\"errors\":%" PRIu64,
      o.conns, seconds, all.latencies.count(), static_cast<double>(all.latencies.count()) / seconds,
      ms(all.latencies.quantile(0.50)), ms(all.latencies.quantile(0.99)),
      ms(all.latencies.quantile(1.0)), connect_s, threads, cpu_s,
      cpu_s / (seconds * static_cast<double>(threads)), all.errors);
  if (all.errors > 0) std::printf(",\"first_error\":\"%s\"", all.first_error.c_str());
  std::printf("}\n");
  return all.errors > 0 ? 1 : 0;
}

int usage() {
  std::fputs(
      "usage: echo-load --server HOST:PORT [--conns 100] [--seconds 2] [--warmup-seconds 1] "
      "[--line-bytes 64] [--threads 1]\n",
      stderr);
  return 2;
}

// in_range() says whether flag `name`'s value lies in [min, max], and if not, why on stderr.
bool in_range(const char* name, std::uint64_t value, std::uint64_t min, std::uint64_t max) {
  if (value >= min && value <= max) return true;
  std::fprintf(stderr, "echo-load: %s %" PRIu64 ": expected %" PRIu64 " to %" PRIu64 "\n", name,
               value, min, max);
  return false;
}

}  // namespace

}  // namespace echo_load

int main(int argc, char** argv) {
  using namespace echo_load;
  Options o;
  if (!peers::parse_flags(argc, argv, 1,
                          {{"--server", &o.server},
                           {"--conns", &o.conns},
                           {"--seconds", &o.seconds},
                           {"--warmup-seconds", &o.warmup_seconds},
                           {"--line-bytes", &o.line_bytes},
                           {"--threads", &o.threads}}) ||
      o.server.empty()) {
    return usage();
  }
  if (!in_range("--conns", o.conns, 1, kMaxConns) ||
      !in_range("--seconds", o.seconds, 1, kMaxSeconds) ||
      !in_range("--warmup-seconds", o.warmup_seconds, 0, kMaxSeconds) ||
      !in_range("--line-bytes", o.line_bytes, 2, kMaxLineBytes) ||
      !in_range("--threads", o.threads, 1, kMaxThreads)) {
    return 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "echo-load: %s\n", e.what());
    return 1;
  }
}
