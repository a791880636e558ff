#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
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
// each round calls prepare(), spawns them, sleeps for kHold and calls release() to end their
// waits.
template <class Prepare, class Wait, class Release>
void waits_on(sy::Runtime& rt, const char* name, Prepare prepare, Wait wait, Release release) {
  for (int round = 0; round < kRounds; ++round) {
    prepare();
    std::vector<sy::Future<void>> fs;
    for (int i = 0; i < kTasks; ++i) fs.push_back(rt.spawn(name, [&wait, i] { wait(i); }));
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
  struct Expect {
    const char* kind;
    double sy::Report::KindReport::WaitSplit::*cause;
  };
  using Split = sy::Report::KindReport::WaitSplit;
  for (const Expect& e : {Expect{"sleeps", &Split::timer}, Expect{"locks", &Split::lock},
                          Expect{"receives", &Split::channel}, Expect{"joins", &Split::future},
                          Expect{"reads", &Split::io}}) {
    const Split& w = kind(r, e.kind).wait_split;
    CAPTURE(e.kind, w.io, w.timer, w.future, w.lock, w.channel, w.other);
    REQUIRE(w.*e.cause > 0.6);
    REQUIRE(w.io + w.timer + w.future + w.lock + w.channel + w.other == Approx(1.0).margin(1e-9));
  }
  // The split is written and read back.
  const sy::Report back = sy::Report::from_json(r.to_json());
  REQUIRE(kind(back, "locks").wait_split.lock == kind(r, "locks").wait_split.lock);
  REQUIRE_THAT(r.to_json(), Catch::Contains("\"wait_split\""));
}

TEST_CASE("a kind that never waited has no split", "[wait_split]") {
  auto config = sy::test::small_config();
  config.profiling.warmup = 1000;
  sy::Runtime rt(config);
  rt.spawn("quick", [] { return 1; }).get();
  const sy::Report r = rt.report();
  const auto& w = kind(r, "quick").wait_split;
  REQUIRE(w.io + w.timer + w.future + w.lock + w.channel + w.other == 0);
}
