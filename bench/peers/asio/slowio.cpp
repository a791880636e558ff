// slowio with Boost.Asio: a coroutine per connection (co_spawn, use_awaitable), the
// connections dealt round-robin to one io_context per core, each run by a thread of its own.
// As in the Go peer, a task is one connection with all its requests, its latency runs from its
// submission to its last reply, and the checksum is the bytes received.
#include "slowio.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/write.hpp>

#include "asio_coroutines.hpp"
#include "cxx_peer.hpp"
#include "endpoint.hpp"
#include "file_limit.hpp"
#include "protocol.hpp"
#include "quantile.hpp"

namespace asio_peer {

namespace {

using Clock = std::chrono::steady_clock;
using switchyard::bench::check_reply;
using switchyard::bench::nearest_rank;

// kSlowReply is the reply a slow request asks for (BENCHMARKS.md, slowio).
constexpr std::size_t kSlowReply = 64;
// Bounds of the flags: connections as many as a descriptor limit may allow, counts as
// switchyard-bench takes them.
constexpr std::uint64_t kMaxConns = 1'000'000;
constexpr std::uint64_t kMaxRequests = 10'000'000;

// Failures counts the connections that failed and keeps why the first did. Any thread.
class Failures {
 public:
  // note() counts the failure `error`.
  void note(const std::exception_ptr& error) {
    const std::lock_guard lock(mutex_);
    if (count_++ > 0) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      first_ = e.what();
    }
  }

  // count() and first() are read once every connection has finished.
  std::uint64_t count() const noexcept { return count_; }
  const std::string& first() const noexcept { return first_; }

 private:
  std::mutex mutex_;  // taken only on a failure
  std::uint64_t count_ = 0;
  std::string first_;
};

// Run is what the connections of a run share.
struct Run {
  Run(const tcp::endpoint& to, std::string request_line, std::uint64_t per_connection)
      : server(to), line(std::move(request_line)), requests(per_connection) {}

  const tcp::endpoint server;
  const std::string line;  // the request line, formatted once
  const std::uint64_t requests;
  std::atomic<std::uint64_t> received{0};
  Failures failures;
};

// slow_connection() is one task: it connects, makes run.requests requests one after the other
// and writes its latency from `submitted` to `latency`. Throws for a connection refused, cut
// or answered wrongly.
asio::awaitable<void> slow_connection(Run& run, Clock::time_point submitted,
                                      std::chrono::nanoseconds& latency) {
  tcp::socket socket(co_await asio::this_coro::executor);
  boost::system::error_code error;
  co_await socket.async_connect(run.server, asio::redirect_error(asio::use_awaitable, error));
  if (error) throw std::runtime_error("connect: " + error.message());
  socket.set_option(tcp::no_delay(true));  // as Go's net.Dial does
  std::array<char, kSlowReply> reply{};
  for (std::uint64_t r = 0; r < run.requests; ++r) {
    co_await asio::async_write(socket, asio::buffer(run.line), asio::use_awaitable);
    co_await asio::async_read(socket, asio::buffer(reply), asio::use_awaitable);
    check_reply({reply.data(), reply.size()}, kSlowReply);
    run.received.fetch_add(kSlowReply, std::memory_order_relaxed);
  }
  latency = Clock::now() - submitted;
}

// refuse() is the error for `flag`, `value`, outside `bounds`.
std::invalid_argument refuse(const char* flag, std::uint64_t value, const char* bounds) {
  return std::invalid_argument(std::string(flag) + " " + std::to_string(value) + ": must be " +
                               bounds);
}

// check_slowio() throws std::invalid_argument naming the first flag of `o` outside its bounds
// (--threads: IoContexts does).
void check_slowio(const SlowioOptions& o) {
  if (o.conns < 1 || o.conns > kMaxConns) throw refuse("--slow-conns", o.conns, "1..1000000");
  if (o.requests < 1 || o.requests > kMaxRequests) {
    throw refuse("--slow-requests", o.requests, "1..10000000");
  }
  if (o.delay_us > switchyard::bench::kMaxDelayUs) {
    throw refuse("--slow-delay-us", o.delay_us, "0..3600000000");
  }
  if (o.server.empty()) throw std::invalid_argument("--server is required");
}

}  // namespace

int run_slowio(const SlowioOptions& o) {
  check_slowio(o);
  peers::raise_file_limit("--slow-conns", o.conns);
  Run run(parse_endpoint("--server", o.server),
          switchyard::bench::request_line({o.delay_us, kSlowReply}), o.requests);
  IoContexts contexts(o.threads);
  std::vector<std::chrono::nanoseconds> latencies(o.conns);

  const Clock::time_point start = Clock::now();
  for (std::size_t i = 0; i < latencies.size(); ++i) {
    asio::co_spawn(contexts[i % contexts.size()], slow_connection(run, Clock::now(), latencies[i]),
                   [&run](const std::exception_ptr& error) {
                     if (error) run.failures.note(error);
                   });
  }
  contexts.run();
  const Clock::duration makespan = Clock::now() - start;

  if (run.failures.count() > 0) {
    std::cerr << "asio-peer slowio: " << run.failures.count() << " of " << o.conns
              << " connections to --server " << o.server
              << " failed; the first: " << run.failures.first() << '\n';
    return 1;
  }
  std::sort(latencies.begin(), latencies.end());
  peers::print_result({"slowio", "asio", o.conns, switchyard::bench::to_s(makespan),
                       switchyard::bench::to_ms(nearest_rank(latencies, 0.50)),
                       switchyard::bench::to_ms(nearest_rank(latencies, 0.99)),
                       run.received.load()});
  return 0;
}

}  // namespace asio_peer
