// fastio: fast_requests requests with a short server delay (reply 1024 bytes), one task each,
// sharing fast_conns persistent connections through blocking POSIX sockets: a stand-in for a
// blocking client library and its connection pool, which the runtime cannot see into. As in
// the Go peer, the connections are opened inside the measured time, before the first task; one
// that cannot be opened counts in `errors` beside the requests that then fail.
#include <chrono>
#include <exception>
#include <string>

#include "blocking_connection.hpp"
#include "connection_pool.hpp"
#include "protocol.hpp"
#include "timed_tasks.hpp"
#include "workload.hpp"

namespace switchyard::bench {

namespace {

constexpr std::size_t kFastReply = 1024;

}  // namespace

Outcome run_fastio(const BenchOptions& options, Runtime& runtime) {
  const Hint hint = hint_for(options.placement, Placement::blocking);
  const Request request{options.fast_delay_us, kFastReply};
  const std::string line = request_line(request);
  const auto timeout = std::chrono::ceil<std::chrono::milliseconds>(reply_timeout(request));
  const auto count = static_cast<std::size_t>(options.fast_requests);

  Outcome out;
  out.start = Clock::now();
  ConnectionPool pool;
  for (int i = 0; i < options.fast_conns; ++i) {
    try {
      pool.add(BlockingConnection::open(options.server, timeout));
    } catch (const std::exception& e) {
      out.errors.record(e.what());
    }
  }
  TimedTasks<std::size_t> tasks;
  tasks.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    tasks.spawn(runtime, "fastio", hint, [&pool, &line, &request] {
      return pool.use([&](BlockingConnection& c) { return c.request(line, request.reply_bytes); });
    });
  }
  tasks.collect(out, [&](std::size_t, std::size_t bytes) { out.checksum += bytes; });
  return out;
}

}  // namespace switchyard::bench
