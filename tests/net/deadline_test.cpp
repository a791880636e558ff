// Deadlines: a wait gives up no earlier than its deadline and long before a generous bound,
// leaves the socket or listener usable, and a deadline already passed never blocks.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <switchyard/deadline.hpp>
#include <switchyard/io.hpp>
#include <switchyard/net.hpp>
#include <switchyard/switchyard.hpp>

#include "net_support.hpp"

namespace sy = switchyard;
namespace net = switchyard::net;
using namespace std::chrono_literals;
using sy::test::Caller;
using sy::test::kPatience;

namespace {

// Timeout is what a caller saw of one call that was expected to time out.
struct Timeout {
  std::optional<net::TimeoutError> error;
  std::chrono::nanoseconds waited{0};
};

// timed() runs `fn`, expecting a TimeoutError, and says how long it took.
template <class F>
Timeout timed(F&& fn) {
  const auto start = std::chrono::steady_clock::now();
  auto error = sy::test::caught<net::TimeoutError>(std::forward<F>(fn));
  return {std::move(error), sy::test::since(start)};
}

// require_timed_out() checks that a call timed out with ETIMEDOUT after waiting at least `min`
// and less than `max`.
void require_timed_out(const Timeout& timeout, std::chrono::nanoseconds min,
                       std::chrono::nanoseconds max) {
  REQUIRE(timeout.error.has_value());
  CAPTURE(timeout.error->what());
  REQUIRE(timeout.error->code() == std::errc::timed_out);
  REQUIRE(timeout.waited >= min);
  REQUIRE(timeout.waited < max);
}

// late() is a server body: it stays silent until the client sends "go", then answers "late"
// and waits for the client to close. It returns the cue.
std::optional<std::string> late(net::Socket sock) {
  auto cue = sock.read_line(kPatience);
  sock.write_all("late\n", kPatience);
  (void)sock.read_line(kPatience);  // end of stream once the client is done
  return cue;
}

}  // namespace

TEST_CASE("a Deadline is none, an instant, or a duration from now", "[deadline]") {
  const sy::Deadline none;
  REQUIRE(none.is_none());
  REQUIRE_FALSE(none.passed());
  REQUIRE(sy::Deadline::none().is_none());

  const auto before = sy::Deadline::clock::now();
  const sy::Deadline in_an_hour = 1h;
  REQUIRE_FALSE(in_an_hour.is_none());
  REQUIRE_FALSE(in_an_hour.passed());
  REQUIRE(in_an_hour.at() >= before + 1h);

  const sy::Deadline past = before - 1s;
  REQUIRE(past.at() == before - 1s);
  REQUIRE(past.passed());
}

TEST_CASE("read_line with a deadline times out and leaves the socket usable", "[deadline]") {
  const auto caller =
      GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::Runtime rt(sy::test::small_config());
  auto server = sy::test::serve_once(rt, late);

  struct Seen {
    Timeout timeout;
    std::optional<std::string> after;
  };
  const auto seen = sy::test::run_as(rt, caller, [&server] {
    Seen s;
    auto sock = net::connect(server.address, kPatience);
    s.timeout = timed([&sock] { (void)sock.read_line(50ms); });
    sock.write_all("go\n", kPatience);
    s.after = sock.read_line(kPatience);
    return s;
  });
  require_timed_out(seen.timeout, 50ms, 5s);
  REQUIRE(seen.after == "late");
  REQUIRE(server.done.get() == "go");
}

TEST_CASE("accept with a deadline times out and the listener still accepts", "[deadline]") {
  const auto caller =
      GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::Runtime rt(sy::test::small_config());
  auto listener = net::listen("127.0.0.1:0");
  const std::string address = listener.address();

  struct Seen {
    Timeout timeout;
    std::string accepted_peer;
  };
  const auto seen = sy::test::run_as(rt, caller, [&listener, &address] {
    Seen s;
    s.timeout = timed([&listener] { (void)listener.accept(50ms); });
    auto client = net::connect(address, kPatience);
    s.accepted_peer = listener.accept(kPatience).peer();
    return s;
  });
  require_timed_out(seen.timeout, 50ms, 5s);
  CAPTURE(seen.accepted_peer);
  REQUIRE(seen.accepted_peer.rfind("127.0.0.1:", 0) == 0);  // the client's end
}

TEST_CASE("distant deadlines time out when they pass, among near ones and early ends",
          "[deadline]") {
  // A deadline more than a second away is armed unordered, sorted only as it comes near: the
  // far read times out after its near neighbours, and the far waits that end early (the
  // server's, by readiness) leave nothing behind that would time out later.
  sy::Runtime rt(sy::test::small_config());
  auto server = sy::test::serve_once(rt, late);
  auto far = rt.spawn("far", [&server] {
    auto sock = net::connect(server.address, kPatience);
    Timeout t = timed([&sock] { (void)sock.read_line(1200ms); });
    sock.write_all("go\n", kPatience);
    return std::pair(std::move(t), sock.read_line(kPatience));
  });
  std::vector<sy::Future<std::chrono::nanoseconds>> near;
  for (int i = 1; i <= 4; ++i) {
    near.push_back(rt.spawn("near", [i] {
      const auto start = std::chrono::steady_clock::now();
      sy::this_task::sleep_for(i * 100ms);
      return sy::test::since(start);
    }));
  }
  for (int i = 1; i <= 4; ++i) REQUIRE(near[i - 1].get() >= i * 100ms);
  const auto [timeout, after] = far.get();
  require_timed_out(timeout, 1200ms, 1200ms + 5s);
  REQUIRE(after == "late");
  REQUIRE(server.done.get() == "go");
}

TEST_CASE("sleep_for sleeps at least as long as asked", "[deadline]") {
  const auto caller = GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::cpu,
                               sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::Runtime rt(sy::test::small_config());
  const auto slept = sy::test::run_as(rt, caller, [] {
    const auto start = std::chrono::steady_clock::now();
    sy::this_task::sleep_for(20ms);
    return sy::test::since(start);
  });
  REQUIRE(slept >= 20ms);
  REQUIRE(slept < 5s);
}

TEST_CASE("a deadline already passed times out at once", "[deadline]") {
  const auto caller =
      GENERATE(as<Caller>{}, sy::Placement::fiber, sy::Placement::blocking, std::nullopt);
  CAPTURE(sy::test::describe(caller));
  sy::Runtime rt(sy::test::small_config());
  auto server = sy::test::serve_once(rt, late);
  auto idle = net::listen("127.0.0.1:0");  // nobody connects to it
  sy::test::Pipe pipe;                     // nobody writes to it

  struct Seen {
    Timeout read;
    Timeout accept;
    bool readable = true;
    std::chrono::nanoseconds waited_readable{0};
    std::chrono::nanoseconds slept{0};
  };
  const auto seen = sy::test::run_as(rt, caller, [&server, &idle, &pipe] {
    Seen s;
    const sy::Deadline past = sy::Deadline::clock::now() - 1s;
    auto sock = net::connect(server.address, kPatience);
    s.read = timed([&] { (void)sock.read_line(past); });
    s.accept = timed([&] { (void)idle.accept(past); });
    auto start = std::chrono::steady_clock::now();
    s.readable = sy::wait_readable(pipe.read_end, past);
    s.waited_readable = sy::test::since(start);
    start = std::chrono::steady_clock::now();
    sy::this_task::sleep_until(past.at());
    s.slept = sy::test::since(start);
    // Let the server finish; reading its answer first makes the close a clean one.
    sock.write_all("go\n", kPatience);
    (void)sock.read_line(kPatience);
    return s;
  });
  // Each call would otherwise wait for what does not come (the server's answer before "go", a
  // client, a byte) or, for the sleep, an overflowed instant: 5 s tells "at once" from that,
  // on a loaded machine too.
  require_timed_out(seen.read, 0ns, 5s);
  require_timed_out(seen.accept, 0ns, 5s);
  REQUIRE_FALSE(seen.readable);
  REQUIRE(seen.waited_readable < 5s);
  REQUIRE(seen.slept < 5s);
  REQUIRE(server.done.get() == "go");
}
