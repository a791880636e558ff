// The net calls off the fiber executor: on a pool thread or a plain thread they block the
// thread (the task stays where it is), and a socket keeps working when its task moves.
#include <catch2/catch.hpp>

#include <array>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <switchyard/net.hpp>
#include <switchyard/switchyard.hpp>

#include "net_support.hpp"

namespace sy = switchyard;
namespace net = switchyard::net;
using sy::test::kPatience;

namespace {

// Trace is what a client saw: its reply, and where it ran before and after every call.
struct Trace {
  std::optional<std::string> reply;
  std::vector<std::optional<sy::Placement>> placements;
  std::vector<std::thread::id> threads;

  void record() {
    placements.push_back(sy::this_task::placement());
    threads.push_back(std::this_thread::get_id());
  }
};

// echo_once() connects to `address`, sends one line and reads the reply, recording where it
// runs around each call.
Trace echo_once(const std::string& address) {
  Trace t;
  t.record();
  auto sock = net::connect(address, sy::test::kPatience);
  t.record();
  sock.write_all("from a thread\n", sy::test::kPatience);
  t.record();
  t.reply = sock.read_line(sy::test::kPatience);
  t.record();
  return t;
}

// kRoute is where travel() takes its task, in order.
constexpr std::array<sy::Placement, 4> kRoute{sy::Placement::fiber, sy::Placement::blocking,
                                              sy::Placement::cpu, sy::Placement::fiber};

// Stop is one leg of travel(): where the task ran and the echo it read there.
struct Stop {
  std::optional<sy::Placement> placement;
  std::optional<std::string> reply;
};

// travel() moves the calling task along kRoute, echoing one line through the same socket at
// every stop.
std::vector<Stop> travel(const std::string& address) {
  std::vector<Stop> stops;
  auto sock = net::connect(address, kPatience);
  for (const sy::Placement p : kRoute) {
    sy::this_task::move_to(p);
    sock.write_all(std::string(sy::to_string(p)) + '\n', kPatience);
    auto reply = sock.read_line(kPatience);
    stops.push_back({sy::this_task::placement(), std::move(reply)});
  }
  return stops;
}

}  // namespace

TEST_CASE("net calls on a pool thread or a plain thread block that thread and stay there",
          "[pool-threads]") {
  // A pool task stays on its pool; a plain thread (nullopt) runs outside any task throughout.
  const auto where =
      GENERATE(as<sy::test::Caller>{}, sy::Placement::blocking, sy::Placement::cpu, std::nullopt);
  CAPTURE(sy::test::describe(where));
  sy::Runtime rt(sy::test::small_config());
  auto server = sy::test::serve_echo(rt, 1);
  const Trace trace = sy::test::run_as(rt, where, [&server] { return echo_once(server.address); });
  REQUIRE(trace.reply == "from a thread");
  for (const auto& p : trace.placements) REQUIRE(p == where);
  for (const auto& id : trace.threads) REQUIRE(id == trace.threads.front());
  REQUIRE(server.done.get() == 1);
}

TEST_CASE("a socket keeps working while its task moves between executors", "[pool-threads]") {
  // The socket first waits on a fiber worker (which registers it with that worker's
  // reactor), then on pool threads, then on the fiber executor again.
  sy::Runtime rt(sy::test::small_config());
  auto server = sy::test::serve_echo(rt, 1);
  auto traveller = rt.spawn(
      "traveller", [&server] { return travel(server.address); }, sy::on(sy::Placement::fiber));
  const auto stops = traveller.get();
  REQUIRE(stops.size() == kRoute.size());
  for (std::size_t i = 0; i < stops.size(); ++i) {
    CAPTURE(i);
    REQUIRE(stops[i].placement == kRoute[i]);
    REQUIRE(stops[i].reply == std::string(sy::to_string(kRoute[i])));
  }
  REQUIRE(server.done.get() == kRoute.size());
}
