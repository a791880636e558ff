// Errors: a failed call throws IoError naming the call, the peer and the reason, with the
// errno as its code; end of stream is a value where the call allows it, an error where not.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include <switchyard/net.hpp>
#include <switchyard/switchyard.hpp>

#include "net_support.hpp"

namespace sy = switchyard;
namespace net = switchyard::net;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using sy::test::Caller;
using sy::test::kPatience;

TEST_CASE("connecting to a port nobody listens on is refused", "[net-errors]") {
  const auto caller =
      GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::Runtime rt(sy::test::small_config());
  const std::string address = "127.0.0.1:" + std::to_string(sy::test::closed_port());
  const auto failure = sy::test::run_as(rt, caller, [&address] {
    return sy::test::caught<net::IoError>([&] { (void)net::connect(address, kPatience); });
  });
  REQUIRE(failure.has_value());
  REQUIRE(failure->code() == std::errc::connection_refused);
  REQUIRE_THAT(failure->what(), Contains("connect"));
  REQUIRE_THAT(failure->what(), Contains(address));
  REQUIRE_THAT(failure->what(), Contains(std::generic_category().message(ECONNREFUSED)));
}

TEST_CASE("a peer that resets the connection fails reads and writes", "[net-errors]") {
  const auto caller =
      GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::Runtime rt(sy::test::small_config());
  // The server resets the connection once the client's cue shows connect() has returned on
  // the client's side (a reset racing connect() would fail connect() instead). A zero linger
  // time makes close() send RST instead of FIN.
  auto server = sy::test::serve_once(rt, [](net::Socket sock) {
    (void)sock.read_line(kPatience);
    const linger reset_on_close{1, 0};
    const int set =
        ::setsockopt(sock.fd(), SOL_SOCKET, SO_LINGER, &reset_on_close, sizeof reset_on_close);
    sock.close();
    return set;
  });

  struct Seen {
    std::optional<net::IoError> read;
    std::optional<net::IoError> write;
  };
  const auto seen = sy::test::run_as(rt, caller, [&server] {
    Seen s;
    auto sock = net::connect(server.address, kPatience);
    sock.write_all("reset me\n", kPatience);
    server.done.wait();  // the reset has been sent
    s.read = sy::test::caught<net::IoError>([&] { (void)sock.read_line(kPatience); });
    s.write = sy::test::caught<net::IoError>([&] { sock.write_all("x\n", kPatience); });
    return s;
  });
  REQUIRE(server.done.get() == 0);
  REQUIRE(seen.read.has_value());
  CAPTURE(seen.read->what());
  REQUIRE(seen.read->code() == std::errc::connection_reset);
  REQUIRE_THAT(seen.read->what(), Contains("read"));
  REQUIRE_THAT(seen.read->what(), Contains(server.address));
  REQUIRE_THAT(seen.read->what(), Contains(std::generic_category().message(ECONNRESET)));
  // After the reset was reported, Linux fails a send with EPIPE (the process must not die of
  // SIGPIPE meanwhile).
  REQUIRE(seen.write.has_value());
  CAPTURE(seen.write->what());
  REQUIRE((seen.write->code() == std::errc::broken_pipe ||
           seen.write->code() == std::errc::connection_reset));
  REQUIRE_THAT(seen.write->what(), Contains("write"));
  REQUIRE_THAT(seen.write->what(), Contains(server.address));
}

TEST_CASE("the peer closing early ends reads as each call says", "[net-errors]") {
  const auto caller =
      GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::Runtime rt(sy::test::small_config());
  // Two connections: the first gets a whole line then end of stream, the second three bytes
  // of the ten the client will ask for.
  auto server = sy::test::serve(rt, [](net::Listener& listener) {
    auto first = listener.accept(kPatience);
    first.write_all("one\n", kPatience);
    first.shutdown_write();
    auto second = listener.accept(kPatience);
    second.write_all("abc", kPatience);
    second.shutdown_write();
    // Both stay open until the client has read to the end of each, so it sees a FIN and
    // not a reset.
    return !first.read_line(kPatience).has_value() && !second.read_line(kPatience).has_value();
  });

  struct Seen {
    std::optional<std::string> line;
    std::optional<std::string> after_line;
    std::size_t read_some_at_end = 99;
    std::optional<net::IoError> short_read;
  };
  const auto seen = sy::test::run_as(rt, caller, [&server] {
    Seen s;
    {
      auto sock = net::connect(server.address, kPatience);
      s.line = sock.read_line(kPatience);
      s.after_line = sock.read_line(kPatience);
      char byte = 0;
      s.read_some_at_end = sock.read_some(&byte, 1, kPatience);
    }
    auto sock = net::connect(server.address, kPatience);
    std::array<char, 10> buffer{};
    s.short_read = sy::test::caught<net::IoError>(
        [&] { sock.read_exact(buffer.data(), buffer.size(), kPatience); });
    return s;
  });
  REQUIRE(seen.line == "one");
  REQUIRE_FALSE(seen.after_line.has_value());
  REQUIRE(seen.read_some_at_end == 0);
  REQUIRE(seen.short_read.has_value());
  CAPTURE(seen.short_read->what());
  REQUIRE(seen.short_read->code() == std::errc::connection_aborted);
  REQUIRE_THAT(seen.short_read->what(), Contains("read"));
  REQUIRE_THAT(seen.short_read->what(), Contains(server.address));
  REQUIRE(server.done.get());
}

TEST_CASE("a line longer than read_line's limit is an error", "[net-errors]") {
  sy::Runtime rt(sy::test::small_config());
  // The server closes after writing: the client leaves most of the line unread, so its own
  // close resets the connection, which must not fail the server.
  auto server = sy::test::serve_once(rt, [](net::Socket sock) {
    sock.write_all(std::string(100, 'x') + '\n', kPatience);
    return true;
  });
  const auto failure = sy::test::run_as(rt, sy::Placement::fiber, [&server] {
    auto sock = net::connect(server.address, kPatience);
    return sy::test::caught<net::IoError>([&] { (void)sock.read_line(kPatience, 16); });
  });
  REQUIRE(failure.has_value());
  CAPTURE(failure->what());
  REQUIRE(failure->code() == std::errc::message_size);
  REQUIRE(server.done.get());
}

TEST_CASE("a closed socket's calls fail with EBADF", "[net-errors]") {
  const auto caller = GENERATE(as<Caller>{}, sy::Placement::fiber, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::Runtime rt(sy::test::small_config());
  auto server = sy::test::serve_once(rt, [](net::Socket sock) {
    return sock.read_line(kPatience).has_value();  // end of stream once the client closes
  });
  struct Seen {
    bool open_after_close = true;
    std::optional<net::IoError> read;
    std::optional<net::IoError> write;
  };
  const auto seen = sy::test::run_as(rt, caller, [&server] {
    Seen s;
    auto sock = net::connect(server.address, kPatience);
    sock.close();
    s.open_after_close = sock.is_open();
    s.read = sy::test::caught<net::IoError>([&] { (void)sock.read_line(kPatience); });
    s.write = sy::test::caught<net::IoError>([&] { sock.write_all("x\n", kPatience); });
    return s;
  });
  REQUIRE_FALSE(seen.open_after_close);
  REQUIRE(seen.read.has_value());
  REQUIRE(seen.read->code() == std::errc::bad_file_descriptor);
  REQUIRE(seen.write.has_value());
  REQUIRE(seen.write->code() == std::errc::bad_file_descriptor);
  REQUIRE_FALSE(server.done.get());
}

TEST_CASE("a malformed address is rejected with a message naming it", "[net-errors]") {
  // The header does not say which exception a malformed address is; either of the two the
  // calls document is accepted, as long as the message quotes the text.
  const std::string bad = GENERATE(as<std::string>{}, "nonsense", "127.0.0.1:99999", "127.0.0.1",
                                   "127.0.0.1:", "[::1:80", "127.0.0.1:-1");
  CAPTURE(bad);
  auto message = [](auto&& call) -> std::optional<std::string> {
    try {
      call();
    } catch (const std::invalid_argument& e) {
      return e.what();
    } catch (const net::IoError& e) {
      return e.what();
    }
    return std::nullopt;
  };
  const auto from_connect = message([&] { (void)net::connect(bad, 1s); });
  REQUIRE(from_connect.has_value());
  REQUIRE_THAT(*from_connect, Contains(bad));
  const auto from_listen = message([&] { (void)net::listen(bad); });
  REQUIRE(from_listen.has_value());
  REQUIRE_THAT(*from_listen, Contains(bad));
}

TEST_CASE("adopt takes stream sockets only, and says what else it was given", "[net-errors]") {
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  {
    net::Socket stream = net::Socket::adopt(pair[0], "stream pair");
    REQUIRE(stream.fd() == pair[0]);
  }
  ::close(pair[1]);

  // A datagram's short read may leave a message queued: refused, naming the type.
  const int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(udp >= 0);
  const auto dgram = sy::test::caught<net::IoError>([&] { (void)net::Socket::adopt(udp, "udp"); });
  ::close(udp);
  REQUIRE(dgram.has_value());
  CAPTURE(dgram->what());
  REQUIRE(dgram->code() == std::errc::wrong_protocol_type);
  REQUIRE_THAT(dgram->what(), Contains("adopt") && Contains("udp") && Contains("not a stream"));

  // A descriptor that is no socket at all.
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const auto piped =
      sy::test::caught<net::IoError>([&] { (void)net::Socket::adopt(pipe_fds[0], "pipe"); });
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  REQUIRE(piped.has_value());
  REQUIRE(piped->code() == std::errc::not_a_socket);
}

TEST_CASE("a cancelled task still reads what is queued; a read that must wait is cancelled",
          "[net-errors]") {
  sy::Runtime rt(sy::test::small_config());
  sy::Event got_first;
  struct Seen {
    bool cancelled = false;
    std::optional<std::string> queued;
    bool waiting_read_cancelled = false;
  };
  auto server = sy::test::serve_once(rt, [&got_first](net::Socket sock) {
    Seen seen;
    // The client answers the greeting, so this read waits and the socket is watched; it
    // comes back short, so the next read would wait for readiness first.
    sock.write_all("hello\n", kPatience);
    if (sock.read_line(kPatience) != "a") return seen;
    got_first.set();
    const auto patience = std::chrono::steady_clock::now() + kPatience;
    while (!sy::this_task::cancelled() && std::chrono::steady_clock::now() < patience) {
    }
    seen.cancelled = sy::this_task::cancelled();
    pollfd queued{sock.fd(), POLLIN, 0};
    if (::poll(&queued, 1, static_cast<int>(kPatience / 1ms)) != 1) return seen;
    try {
      seen.queued = sock.read_line(kPatience);
      (void)sock.read_line(kPatience);
    } catch (const sy::TaskCancelled&) {
      seen.waiting_read_cancelled = true;
    }
    return seen;
  });
  auto sock = net::connect(server.address, kPatience);
  REQUIRE(sock.read_line(kPatience) == "hello");
  sock.write_all("a\n", kPatience);
  REQUIRE(got_first.wait_for(kPatience));
  server.done.cancel();
  sock.write_all("b\n", kPatience);
  const Seen seen = server.done.get();
  REQUIRE(seen.cancelled);
  REQUIRE(seen.queued == "b");
  REQUIRE(seen.waiting_read_cancelled);
}
