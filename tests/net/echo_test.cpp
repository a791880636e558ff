// Echo over loopback TCP: many connections open at once on the fiber executor, IPv6, lines
// longer than the socket buffers, an end of stream right behind a line, and one socket read
// and written by two tasks at once.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <switchyard/net.hpp>
#include <switchyard/switchyard.hpp>

#include "child_server.hpp"
#include "net_support.hpp"

namespace sy = switchyard;
namespace net = switchyard::net;
using namespace std::chrono_literals;
using sy::test::Caller;
using sy::test::kPatience;

TEST_CASE("ten thousand connections open at once each get their line echoed", "[echo]") {
  const std::size_t n = sy::test::small_run() ? 1'000 : 10'000;
  // The server runs in a process of its own (tests/net/echo_server.cpp): with both ends of
  // every connection in one process, ten thousand connections would need more descriptors
  // than the hard limit here allows.
  sy::test::ChildServer server(sy::test::echo_server_path());
  const auto fds_before = sy::test::fd_count();
  {
    std::atomic<std::size_t> arrived{0};
    sy::Future<std::size_t> gate;
    sy::Runtime rt(sy::test::small_config());
    const std::string& address = server.address();

    // The gate opens once every client has connected (or failed to), so all n connections
    // are open before the first line is written. It returns the descriptors open then.
    gate = rt.spawn(
        "gate",
        [&arrived, n] {
          while (arrived.load() < n) sy::this_task::sleep_for(1ms);
          return sy::test::fd_count();
        },
        sy::on(sy::Placement::fiber));

    std::vector<sy::Future<std::optional<std::string>>> clients;
    clients.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      clients.push_back(rt.spawn(
          "echo-client",
          [&address, &arrived, &gate, i] {
            net::Socket sock;
            try {
              sock = net::connect(address, kPatience);
            } catch (...) {
              arrived.fetch_add(1);  // the gate must still open for the others
              throw;
            }
            arrived.fetch_add(1);
            gate.wait();
            sock.write_all("line " + std::to_string(i) + "\n", kPatience);
            return sock.read_line(kPatience);
          },
          sy::on(sy::Placement::fiber)));
    }
    for (std::size_t i = 0; i < n; ++i) {
      CAPTURE(i);
      REQUIRE(clients[i].get() == "line " + std::to_string(i));
    }
    REQUIRE(gate.get() >= fds_before + n);  // every client's end was open at the gate
  }
  REQUIRE(sy::test::fd_count() == fds_before);
  REQUIRE(server.stop() == 0);
}

TEST_CASE("an IPv6 loopback connection echoes", "[echo]") {
  if (!sy::test::ipv6_loopback()) {
    WARN("skipped: this machine cannot bind an IPv6 socket to ::1");
    return;
  }
  sy::Runtime rt(sy::test::small_config());
  auto listener = net::listen("[::1]:0");
  REQUIRE(listener.address() == "[::1]:" + std::to_string(listener.port()));
  auto server = sy::test::serve_echo(rt, 1, sy::test::kEchoMaxLine, std::move(listener));
  auto client = rt.spawn(
      "v6-client",
      [&server] {
        auto sock = net::connect(server.address, kPatience);
        sock.write_all("over six\n", kPatience);
        return std::make_pair(sock.peer(), sock.read_line(kPatience));
      },
      sy::on(sy::Placement::fiber));
  const auto [peer, reply] = client.get();
  REQUIRE(peer == server.address);
  REQUIRE(reply == "over six");
  REQUIRE(server.done.get() == 1);
}

TEST_CASE("a line larger than the socket buffers is echoed whole", "[echo]") {
  const auto caller =
      GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  constexpr std::size_t kLine = 4 << 20;  // several times the loopback socket buffers
  sy::Runtime rt(sy::test::small_config());
  auto server = sy::test::serve_echo(rt, 1, kLine + 1);
  std::string line(kLine, '\0');
  for (std::size_t i = 0; i < kLine; ++i) line[i] = static_cast<char>('a' + i % 26);
  const auto reply = sy::test::run_as(rt, caller, [&server, &line] {
    auto sock = net::connect(server.address, kPatience);
    // write_all() must wait for the server to drain the buffers, several times over.
    sock.write_all(line + '\n', kPatience);
    return sock.read_line(kPatience, kLine + 1);
  });
  REQUIRE(reply.has_value());
  REQUIRE(reply->size() == kLine);
  REQUIRE(*reply == line);
  REQUIRE(server.done.get() == 1);
}

TEST_CASE("the end of stream right behind a line ends the reads after it at once", "[echo]") {
  // A read that comes back short has drained the socket, so the next one waits for readiness
  // before it reads. When the peer's end of stream came with that data, no readiness follows:
  // the reads after it must still end (a bug here waits out kPatience and fails the server).
  constexpr std::size_t kConnections = 50;
  sy::Runtime rt(sy::test::small_config());
  auto server = sy::test::serve(rt, [](net::Listener& listener) {
    std::size_t ended = 0;
    for (std::size_t i = 0; i < kConnections; ++i) {
      auto sock = listener.accept(kPatience);
      // The client answers the greeting, so this read waits and the socket is watched from
      // then on; "a" comes back short and leaves the socket drained.
      sock.write_all("hello\n", kPatience);
      if (sock.read_line(kPatience) != "a") continue;
      sock.write_all("a\n", kPatience);
      // "b\nc" and the end of stream arrive together: one short read takes both lines.
      if (sock.read_line(kPatience) != "b" || sock.read_line(kPatience) != "c") continue;
      if (!sock.read_line(kPatience).has_value()) ++ended;
    }
    return ended;
  });
  const auto closed = sy::test::run_as(rt, sy::Placement::fiber, [&server] {
    std::size_t echoed = 0;
    for (std::size_t i = 0; i < kConnections; ++i) {
      auto sock = net::connect(server.address, kPatience);
      if (sock.read_line(kPatience) != "hello") continue;
      sock.write_all("a\n", kPatience);
      if (sock.read_line(kPatience) != "a") continue;  // the server has read "a"
      sock.write_all("b\nc", kPatience);
      sock.shutdown_write();
      if (!sock.read_line(kPatience).has_value()) ++echoed;  // the server closed
    }
    return echoed;
  });
  REQUIRE(closed == kConnections);
  REQUIRE(server.done.get() == kConnections);
}

TEST_CASE("one task reads a socket while another writes it", "[echo]") {
  // The writer sends far more than the buffers hold before the reader has read anything back;
  // only a reader and a writer waiting on the same socket at once can get through it.
  constexpr int kLines = 256;
  const std::string payload(32 * 1024, 'x');
  sy::Runtime rt(sy::test::small_config());
  auto server = sy::test::serve_echo(rt, 1);
  auto client = rt.spawn(
      "duplex",
      [&rt, &server, &payload] {
        auto sock = net::connect(server.address, kPatience);
        auto writer = rt.spawn(
            "duplex-writer",
            [&sock, &payload] {
              for (int i = 0; i < kLines; ++i) {
                sock.write_all(std::to_string(i) + ' ' + payload + '\n', kPatience);
              }
            },
            sy::on(sy::Placement::fiber));
        int matching = 0;
        try {
          for (int i = 0; i < kLines; ++i) {
            if (sock.read_line(kPatience) == std::to_string(i) + ' ' + payload) ++matching;
          }
        } catch (...) {
          writer.wait();  // the writer uses `sock`: let it finish before `sock` goes away
          throw;
        }
        writer.get();
        return matching;
      },
      sy::on(sy::Placement::fiber));
  REQUIRE(client.get() == kLines);
  REQUIRE(server.done.get() == kLines);
}

TEST_CASE("a server out of descriptors keeps accepting once connections close", "[echo]") {
  // The server may open 128 descriptors: the first of 200 clients use them all up, so its
  // accept() runs out (EMFILE) while the rest wait in the backlog. Under UBSan, its vptr check
  // tests that memory is readable through a pipe, which a process out of descriptors cannot
  // open: it then reports checked calls as on invalid objects. The server goes on past such a
  // report (halt_on_error=0; UBSAN_OPTIONS is read by sanitized builds only, a later key wins).
  const char* ubsan = std::getenv("UBSAN_OPTIONS");
  const std::string options =
      std::string(ubsan != nullptr && *ubsan != '\0' ? std::string(ubsan) + ":" : "") +
      "halt_on_error=0";
  sy::test::ChildServer server(std::vector<std::string>{"env", "UBSAN_OPTIONS=" + options,
                                                        "prlimit", "--nofile=128:128",
                                                        sy::test::echo_server_path()});
  constexpr std::size_t kClients = 200;
  constexpr std::size_t kClosed = 150;
  std::vector<net::Socket> clients;
  for (std::size_t i = 0; i < kClients; ++i) {
    clients.push_back(net::connect(server.address(), kPatience));
    clients.back().write_all("line " + std::to_string(i) + "\n", kPatience);
  }
  // Hanging up the first clients closes their connections' descriptors on the server: the
  // rest must then be accepted and answered.
  for (std::size_t i = 0; i < kClosed; ++i) clients[i].close();
  for (std::size_t i = kClosed; i < kClients; ++i) {
    CAPTURE(i);
    REQUIRE(clients[i].read_line(kPatience) == "line " + std::to_string(i));
  }
  clients.clear();
  REQUIRE(server.stop() == 0);
}
