#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <switchyard/switchyard.hpp>

#include "support.hpp"

namespace sy = switchyard;
using namespace std::chrono_literals;

namespace {

constexpr int kRounds = 6;
constexpr int kTasks = 4;
constexpr auto kHold = 8ms;  // how long each round keeps its kinds waiting

const sy::Report::KindReport& kind(const sy::Report& r, const std::string& name) {
  for (const auto& k : r.kinds) {
    if (k.name == name) return k;
  }
  FAIL("no kind '" << name << "' in the report");
  throw std::logic_error("unreachable");
}

// waits_on() runs rounds of kTasks tasks of `name` doing wait(i), i their number in the round:
// each round calls prepare(), spawns them, and once all have set out to wait (the machine may
// be slow to start them) sleeps for kHold and calls release() to end their waits.
template <class Prepare, class Wait, class Release>
void waits_on(sy::Runtime& rt, const char* name, Prepare prepare, Wait wait, Release release) {
  for (int round = 0; round < kRounds; ++round) {
    prepare();
    sy::Latch set_out(kTasks);
    std::vector<sy::Future<void>> fs;
    for (int i = 0; i < kTasks; ++i) {
      fs.push_back(rt.spawn(name, [&wait, &set_out, i] {
        set_out.count_down();
        wait(i);
      }));
    }
    set_out.wait();
    std::this_thread::sleep_for(kHold);
    release();
    for (auto& f : fs) f.get();
  }
}

}  // namespace

TEST_CASE("each kind's waiting splits by what its tasks waited for", "[wait_split]") {
  auto config = sy::test::small_config();
  config.profiling.warmup = 1000;  // every task measured
  sy::Runtime rt(config);

  auto nothing = [] {};
  waits_on(
      rt, "sleeps", nothing, [](int) { sy::this_task::sleep_for(kHold); }, nothing);

  sy::Mutex mutex;
  waits_on(
      rt, "locks", [&] { mutex.lock(); }, [&](int) { std::lock_guard lk(mutex); },
      [&] { mutex.unlock(); });

  sy::Channel<int> channel;
  waits_on(
      rt, "receives", nothing, [&](int) { (void)channel.receive(); },
      [&] {
        for (int i = 0; i < kTasks; ++i) channel.send(i);
      });

  waits_on(
      rt, "joins", nothing,
      [&](int) { rt.spawn("sleeps", [] { sy::this_task::sleep_for(kHold); }).get(); }, nothing);

  // A descriptor has one reader waiting at a time: each task waits on its own socket.
  std::vector<std::array<int, 2>> sockets(kTasks);
  auto close_all = [&] {
    for (auto& pair : sockets) {
      for (int& fd : pair) {
        if (fd >= 0) ::close(std::exchange(fd, -1));
      }
    }
  };
  for (auto& pair : sockets) pair = {-1, -1};
  waits_on(
      rt, "reads",
      [&] {
        close_all();
        for (auto& pair : sockets) {
          REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair.data()) == 0);
        }
      },
      // In the task, no assertion (Catch is not thread-safe): a failure reaches get().
      [&](int i) {
        if (!sy::wait_readable(sockets[static_cast<std::size_t>(i)][0])) {
          throw std::runtime_error("the socket did not become readable");
        }
      },
      [&] {
        for (auto& pair : sockets) {
          const char byte = 'x';
          REQUIRE(::write(pair[1], &byte, 1) == 1);
        }
      });
  close_all();

  const sy::Report r = rt.report();
  using Split = sy::Report::KindReport::WaitSplit;
  // sum() adds every share up, as the report names them (the causes and future).
  auto sum = [](const Split& w) {
    double total = 0;
    Split::for_each(w, [&](std::string_view, double share) { total += share; });
    return total;
  };
  const std::array<std::pair<const char*, sy::WaitCause>, 4> waited_on{{
      {"sleeps", sy::WaitCause::timer},
      {"locks", sy::WaitCause::lock},
      {"receives", sy::WaitCause::channel},
      {"reads", sy::WaitCause::io},
  }};
  for (const auto& [name, cause] : waited_on) {
    const Split& w = kind(r, name).wait_split;
    CAPTURE(name, w.by_cause, w.future);
    REQUIRE(w.of(cause) > 0.6);
    REQUIRE(sum(w) == Approx(1.0).margin(1e-9));
  }
  const Split& joins = kind(r, "joins").wait_split;
  CAPTURE(joins.by_cause, joins.future);
  REQUIRE(joins.future > 0.6);
  REQUIRE(sum(joins) == Approx(1.0).margin(1e-9));
  // The split is written and read back.
  const sy::Report back = sy::Report::from_json(r.to_json());
  REQUIRE(kind(back, "locks").wait_split.by_cause == kind(r, "locks").wait_split.by_cause);
  REQUIRE(kind(back, "joins").wait_split.future == kind(r, "joins").wait_split.future);
  REQUIRE_THAT(r.to_json(), Catch::Contains("\"wait_split\""));
}

TEST_CASE("a kind that never waited has no split", "[wait_split]") {
  auto config = sy::test::small_config();
  config.profiling.warmup = 1000;
  sy::Runtime rt(config);
  rt.spawn("quick", [] { return 1; }).get();
  const sy::Report r = rt.report();
  const auto& w = kind(r, "quick").wait_split;
  REQUIRE(w.future == 0);
  for (const double share : w.by_cause) REQUIRE(share == 0);
}

TEST_CASE("the split is written in the schema's order and read back share by share",
          "[wait_split]") {
  sy::Report r;
  r.kinds.emplace_back();
  sy::Report::KindReport::WaitSplit& w = r.kinds.back().wait_split;
  w.by_cause = {0.125, 0.25, 0.0625, 0.03125, 0.015625};
  w.future = 0.5;
  const std::string json = r.to_json();
  // The keys of docs/report.md, in its order, and nothing else between them.
  const auto at = json.find("\"wait_split\": {");
  REQUIRE(at != std::string::npos);
  const std::string split = json.substr(at, json.find('}', at) - at);
  std::size_t from = 0;
  for (const char* key : {"io", "timer", "future", "lock", "channel", "other"}) {
    CAPTURE(split, key);
    std::string quoted = "\"";
    quoted.append(key).append("\":");
    const auto found = split.find(quoted, from);
    REQUIRE(found != std::string::npos);
    from = found + 1;
  }
  REQUIRE(std::count(split.begin(), split.end(), ':') == 7);  // the 6 keys and "wait_split"
  CHECK_THAT(split, Catch::Contains("\"timer\": 0.25") && Catch::Contains("\"future\": 0.5") &&
                        Catch::Contains("\"other\": 0.015625"));
  const sy::Report back = sy::Report::from_json(json);
  CHECK(back.kinds.back().wait_split.by_cause == w.by_cause);
  CHECK(back.kinds.back().wait_split.future == w.future);
}
