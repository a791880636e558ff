// fastio: fast_requests requests with a short server delay (reply 1024 bytes), one task each,
// sharing fast_conns persistent connections through blocking POSIX sockets: a stand-in for a
// blocking client library and its connection pool, which the runtime cannot see into. As in
// the Go peer, the connections are opened inside the measured time, before the first task; one
// that cannot be opened counts in `errors` beside the requests that then fail.
#include <chrono>
#include <exception>
#include <vector>

#include "blocking_connection.hpp"
#include "connection_pool.hpp"
#include "protocol.hpp"
#include "workload.hpp"

namespace switchyard::bench {

namespace {

constexpr std::size_t kFastReply = 1024;

}  // namespace

Outcome run_fastio(const BenchOptions& options, Runtime& runtime) {
  const Hint hint = hint_for(options.placement, Placement::blocking);
  const Request request{options.fast_delay_us, kFastReply};
  const auto timeout = std::chrono::ceil<std::chrono::milliseconds>(
      std::chrono::microseconds(options.fast_delay_us) + kReplyGrace);
  const auto count = static_cast<std::size_t>(options.fast_requests);

  Outcome out;
  out.tasks = count;
  out.start = Clock::now();
  ConnectionPool pool;
  for (int i = 0; i < options.fast_conns; ++i) {
    try {
      pool.add(BlockingConnection::open(options.server, timeout));
    } catch (const std::exception& e) {
      out.errors.record(e.what());
    }
  }
  std::vector<Clock::time_point> submitted(count);
  std::vector<Future<Clock::time_point>> futures;
  futures.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    submitted[i] = Clock::now();
    futures.push_back(runtime.spawn(
        "fastio",
        [&pool, request] {
          pool.use([&request](BlockingConnection& c) { return c.request(request); });
          return Clock::now();
        },
        hint));
  }
  collect(futures, out.errors, [&](std::size_t i, Clock::time_point finished) {
    out.task_done(submitted[i], finished);
    out.checksum += kFastReply;
  });
  return out;
}

}  // namespace switchyard::bench
