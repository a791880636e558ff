// Shutdown wakes tasks waiting in net calls, descriptor waits and sleeps with TaskCancelled,
// on the fiber executor and on the blocking pool, and every future resolves.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <switchyard/io.hpp>
#include <switchyard/net.hpp>
#include <switchyard/switchyard.hpp>

#include "net_support.hpp"

namespace sy = switchyard;
namespace net = switchyard::net;
using namespace std::chrono_literals;

namespace {

constexpr int kReaders = 20;

// Waiters is a set of tasks that each end up waiting for something that never comes: a line
// from a silent server, a connection nobody makes, a byte nobody writes, the end of a long
// sleep. `patience` bounds each wait, so a wait that shutdown fails to wake ends in a
// TimeoutError (or a finished sleep) instead of hanging the test.
struct Waiters {
  std::vector<sy::Future<void>> futures;
  std::atomic<std::size_t> waiting{0};  // tasks about to enter their last wait

  void spawn(sy::Runtime& rt, sy::Placement where, sy::Deadline patience, int pipe_fd);
};

void Waiters::spawn(sy::Runtime& rt, sy::Placement where, sy::Deadline patience, int pipe_fd) {
  auto listener = net::listen("127.0.0.1:0");
  const std::string address = listener.address();
  // The silent server accepts every reader, keeps the connections open without writing,
  // and then waits in accept() for a client that never comes.
  futures.push_back(rt.spawn(
      "silent-server",
      [this, listener = std::move(listener), patience]() mutable {
        std::vector<net::Socket> held;
        for (int i = 0; i < kReaders; ++i) held.push_back(listener.accept(sy::test::kPatience));
        waiting.fetch_add(1);
        (void)listener.accept(patience);
      },
      sy::on(where)));
  for (int i = 0; i < kReaders; ++i) {
    futures.push_back(rt.spawn(
        "reader",
        [this, address, patience] {
          auto sock = net::connect(address, sy::test::kPatience);
          waiting.fetch_add(1);
          (void)sock.read_line(patience);
        },
        sy::on(where)));
  }
  futures.push_back(rt.spawn(
      "pipe-waiter",
      [this, pipe_fd, patience] {
        waiting.fetch_add(1);
        (void)sy::wait_readable(pipe_fd, patience);
      },
      sy::on(where)));
  futures.push_back(rt.spawn(
      "sleeper",
      [this, patience] {
        waiting.fetch_add(1);
        if (patience.is_none()) {
          sy::this_task::sleep_for(1h);
        } else {
          sy::this_task::sleep_until(patience.at());
        }
      },
      sy::on(where)));
}

// shut_down_waiting() runs Waiters on `where` until all are waiting, shuts the runtime down
// with a short grace, and checks what every task and the summary say.
void shut_down_waiting(sy::Placement where, sy::Deadline patience) {
  sy::test::Pipe pipe;
  const auto fds_before = sy::test::fd_count();
  Waiters waiters;
  sy::ShutdownSummary summary;
  {
    sy::Runtime rt(sy::test::small_config());
    waiters.spawn(rt, where, patience, pipe.read_end);
    // Polling only decides when to start the shutdown: a task counted here but not yet
    // inside its wait must be cancelled all the same when it gets there.
    while (waiters.waiting.load() < waiters.futures.size()) std::this_thread::sleep_for(1ms);
    summary = rt.shutdown(100ms);
  }
  for (auto& f : waiters.futures) REQUIRE_THROWS_AS(f.get(), sy::TaskCancelled);
  REQUIRE(summary.cancelled() == waiters.futures.size());
  REQUIRE(summary.kinds.at("reader").cancelled == static_cast<std::size_t>(kReaders));
  REQUIRE(summary.kinds.at("silent-server").cancelled == 1);
  REQUIRE(summary.kinds.at("pipe-waiter").cancelled == 1);
  REQUIRE(summary.kinds.at("sleeper").cancelled == 1);
  // Every socket and listener was closed as its task unwound.
  REQUIRE(sy::test::fd_count() == fds_before);
}

}  // namespace

TEST_CASE("shutdown wakes fiber tasks blocked in read_line, accept, waits and sleeps",
          "[net-shutdown]") {
  // No deadlines: only the shutdown can end these waits.
  shut_down_waiting(sy::Placement::fiber, sy::Deadline::none());
}

TEST_CASE("shutdown wakes blocking-pool tasks blocked in read_line, accept, waits and sleeps",
          "[net-shutdown]") {
  // The header promises TaskCancelled on every thread a task runs on. A deadline bounds the
  // waits, so a pool thread that shutdown cannot wake fails the test instead of hanging it.
  shut_down_waiting(sy::Placement::blocking, sy::Deadline(20s));
}
