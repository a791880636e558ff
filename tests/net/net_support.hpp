// Helpers shared by the net tests: where a test body runs, an echo server, a pipe, and the
// environment checks (scale, IPv6, descriptor limit) that decide what a test can do here.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <switchyard/io.hpp>
#include <switchyard/net.hpp>
#include <switchyard/switchyard.hpp>

#include "../runtime/support.hpp"

namespace switchyard::test {

// kPatience is the deadline of every call that should finish promptly, so that a bug fails
// with a TimeoutError naming the call instead of hanging until meson's timeout.
inline constexpr std::chrono::seconds kPatience{20};

// small_run() says the suite runs under a sanitizer (SWITCHYARD_TEST_SMALL is set), where
// scale tests shrink to what the instrumented build finishes in time.
inline bool small_run() {
  const char* v = std::getenv("SWITCHYARD_TEST_SMALL");
  return v != nullptr && *v != '\0';
}

// Caller is where a test body runs: in a task on one of the runtime's executors, or on the
// test's own thread, a plain thread outside any task.
enum class Caller { fiber, cpu, blocking, plain_thread };

inline const char* to_string(Caller c) {
  switch (c) {
    case Caller::fiber:
      return "task on the fiber executor";
    case Caller::cpu:
      return "task on the CPU pool";
    case Caller::blocking:
      return "task on the blocking pool";
    case Caller::plain_thread:
      return "plain thread";
  }
  return "?";
}

// run_as() runs `fn` as `caller` and returns its result (or rethrows its exception). Catch2's
// assertions are not thread-safe, so bodies return what they saw and the test asserts here.
template <class F>
auto run_as(Runtime& rt, Caller caller, F fn) {
  switch (caller) {
    case Caller::fiber:
      return rt.spawn("caller", std::move(fn), on(Placement::fiber)).get();
    case Caller::cpu:
      return rt.spawn("caller", std::move(fn), on(Placement::cpu)).get();
    case Caller::blocking:
      return rt.spawn("caller", std::move(fn), on(Placement::blocking)).get();
    case Caller::plain_thread:
      break;
  }
  return fn();
}

// caught() runs `fn` and returns the exception of type E it threw, or nullopt if it returned.
// Any other exception propagates, so Catch2 reports it with its message.
template <class E, class F>
std::optional<E> caught(F&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e;
  }
  return std::nullopt;
}

// since() is the time elapsed from `start`.
inline std::chrono::nanoseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::steady_clock::now() - start;
}

// serve_echo() spawns a server on the fiber executor that accepts `connections` connections
// on `listener` and echoes every line back, one task per connection, until the peer closes.
// Its future is the number of lines echoed. `max_line` is the longest line it accepts.
inline Future<std::size_t> serve_echo(Runtime& rt, net::Listener listener, std::size_t connections,
                                      std::size_t max_line = 65536) {
  return rt.spawn(
      "echo-server",
      [&rt, listener = std::move(listener), connections, max_line]() mutable {
        std::vector<Future<std::size_t>> handlers;
        handlers.reserve(connections);
        for (std::size_t i = 0; i < connections; ++i) {
          handlers.push_back(rt.spawn(
              "echo-connection",
              [sock = listener.accept(kPatience), max_line]() mutable {
                std::size_t lines = 0;
                while (auto line = sock.read_line(kPatience, max_line)) {
                  sock.write_all(*line + '\n', kPatience);
                  ++lines;
                }
                return lines;
              },
              on(Placement::fiber)));
        }
        listener.close();
        std::size_t lines = 0;
        for (auto& h : handlers) lines += h.get();
        return lines;
      },
      on(Placement::fiber));
}

// closed_port() is a loopback port that was just free and has no listener: connecting to it
// is refused.
inline std::uint16_t closed_port() {
  auto listener = net::listen("127.0.0.1:0");
  const std::uint16_t port = listener.port();
  listener.close();
  return port;
}

// ipv6_loopback() says whether this machine can bind an IPv6 socket to ::1.
inline bool ipv6_loopback() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  const bool bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return bound;
}

// fd_limit() is RLIMIT_NOFILE.
inline rlimit fd_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    throw std::system_error(errno, std::generic_category(), "getrlimit(RLIMIT_NOFILE)");
  }
  return rl;
}

// Pipe is a non-blocking pipe whose ends close when it goes away.
class Pipe {
 public:
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
      throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    ::close(read_end);
    ::close(write_end);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  int read_end = -1;
  int write_end = -1;
};

}  // namespace switchyard::test
