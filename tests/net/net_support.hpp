// Helpers shared by the net tests: where a test body runs, test servers, a pipe, and the
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
#include <string_view>
#include <system_error>
#include <type_traits>
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

// Caller is where a test body runs: in a task placed on one of the runtime's executors, or,
// for nullopt, on the test's own thread, a plain thread outside any task.
using Caller = std::optional<Placement>;

// describe() names a Caller for CAPTURE.
inline std::string_view describe(const Caller& caller) {
  return caller ? switchyard::to_string(*caller) : "plain thread";
}

// run_as() runs `fn` as `caller` and returns its result (or rethrows its exception). Catch2's
// assertions are not thread-safe, so bodies return what they saw and the test asserts here.
template <class F>
auto run_as(Runtime& rt, Caller caller, F fn) {
  if (!caller) return fn();
  return rt.spawn("caller", std::move(fn), on(*caller)).get();
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

// Served is a server a test started: the address it listens on, and its task's future.
template <class R>
struct Served {
  std::string address;
  Future<R> done;
};

// serve() spawns a server on the fiber executor that owns `listener` (by default a fresh one
// on a loopback port) and returns what `body(listener)` returns.
template <class F>
auto serve(Runtime& rt, F body, net::Listener listener = net::listen("127.0.0.1:0"))
    -> Served<std::invoke_result_t<F&, net::Listener&>> {
  std::string address = listener.address();
  auto task = [listener = std::move(listener), body = std::move(body)]() mutable {
    return body(listener);
  };
  return {std::move(address), rt.spawn("server", std::move(task), on(Placement::fiber))};
}

// serve_once() serves one connection on a loopback port: it hands the connection to `body`
// and returns what `body` returns.
template <class F>
auto serve_once(Runtime& rt, F body) {
  return serve(rt, [body = std::move(body)](net::Listener& listener) mutable {
    return body(listener.accept(kPatience));
  });
}

// kEchoMaxLine is the longest line serve_echo() accepts unless told otherwise.
inline constexpr std::size_t kEchoMaxLine = 65536;

// serve_echo() serves `connections` connections on `bound` (by default a loopback port) and
// echoes every line back, one task per connection, until the peer closes. Its future is the
// number of lines echoed. `max_line` is the longest line it accepts.
inline Served<std::size_t> serve_echo(Runtime& rt, std::size_t connections,
                                      std::size_t max_line = kEchoMaxLine,
                                      net::Listener bound = net::listen("127.0.0.1:0")) {
  return serve(
      rt,
      [&rt, connections, max_line](net::Listener& listener) {
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
      std::move(bound));
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
