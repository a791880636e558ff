// slowio: slow_conns connections open at once, each a task that connects through Switchyard's
// fiber-aware sockets and makes slow_requests requests one after the other (reply 64 bytes).
// A task is one connection with all its requests, as in the peers; the latency of each request
// and the resident memory per open connection are reported beside.
#include <algorithm>
#include <atomic>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <switchyard/net/socket.hpp>

#include "process_usage.hpp"
#include "protocol.hpp"
#include "quantile.hpp"
#include "slow_request.hpp"
#include "timed_tasks.hpp"
#include "workload.hpp"

namespace switchyard::bench {

namespace {

// OpenConnections counts the connections open now, from any thread, and the most at once.
class OpenConnections {
 public:
  // Open counts one connection for as long as it lives.
  class Open {
   public:
    explicit Open(OpenConnections& c) noexcept : c_(c) { c_.opened(); }
    ~Open() { c_.now_.fetch_sub(1, std::memory_order_relaxed); }
    Open(const Open&) = delete;
    Open& operator=(const Open&) = delete;

   private:
    OpenConnections& c_;
  };

  int peak() const noexcept { return peak_.load(std::memory_order_relaxed); }

 private:
  void opened() noexcept {
    const int now = now_.fetch_add(1, std::memory_order_relaxed) + 1;
    int peak = peak_.load(std::memory_order_relaxed);
    while (now > peak && !peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }

  std::atomic<int> now_{0};
  std::atomic<int> peak_{0};
};

// slow_connection() is one task: it connects, sends `request` (formatted as `line`) once per
// slot of `latencies` and writes each one's latency there. Returns the bytes received.
std::size_t slow_connection(const std::string& server, const Request& request,
                            std::string_view line, std::span<std::chrono::nanoseconds> latencies,
                            OpenConnections& open) {
  net::Socket socket = net::connect(server, kReplyGrace);
  const OpenConnections::Open counted(open);
  const auto limit = reply_timeout(request);
  for (std::chrono::nanoseconds& latency : latencies) {
    const Clock::time_point sent = Clock::now();
    slow_request(socket, line, sent + limit);
    latency = Clock::now() - sent;
  }
  return latencies.size() * kSlowReply;
}

// peak_resident_kb() samples the resident set every 10 ms until every task is ready and
// returns the largest sample. Blocks the calling thread.
std::int64_t peak_resident_kb(TimedTasks<std::size_t>& tasks) {
  std::int64_t peak = resident_kb();
  while (!tasks.all_ready()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    peak = std::max(peak, resident_kb());
  }
  return peak;
}

}  // namespace

Outcome run_slowio(const BenchOptions& options, Runtime& runtime) {
  const Hint hint = hint_for(options.placement, Placement::fiber);
  const auto conns = static_cast<std::size_t>(options.slow_conns);
  const auto requests = static_cast<std::size_t>(options.slow_requests);
  const Request request{options.slow_delay_us, kSlowReply};
  const std::string line = request_line(request);
  std::vector<std::chrono::nanoseconds> request_slots(conns * requests);
  TimedTasks<std::size_t> tasks;
  tasks.reserve(conns);
  OpenConnections open;
  const std::int64_t rss_before_kb = resident_kb();

  Outcome out;
  out.start = Clock::now();
  for (std::size_t i = 0; i < conns; ++i) {
    const std::span<std::chrono::nanoseconds> slots =
        std::span(request_slots).subspan(i * requests, requests);
    tasks.spawn(runtime, "slowio", hint, [&options, &request, &line, &open, slots] {
      return slow_connection(options.server, request, line, slots, open);
    });
  }
  const std::int64_t rss_peak_kb = peak_resident_kb(tasks);

  std::vector<std::chrono::nanoseconds> request_latencies;
  request_latencies.reserve(request_slots.size());
  tasks.collect(out, [&](std::size_t i, std::size_t bytes) {
    out.checksum += bytes;
    const auto slots = std::span(request_slots).subspan(i * requests, requests);
    request_latencies.insert(request_latencies.end(), slots.begin(), slots.end());
  });

  std::sort(request_latencies.begin(), request_latencies.end());
  out.extra["request_p50_ms"] = to_ms(nearest_rank(request_latencies, 0.50));
  out.extra["request_p99_ms"] = to_ms(nearest_rank(request_latencies, 0.99));
  out.extra["peak_open_conns"] = open.peak();
  out.extra["rss_per_conn_kb"] =
      static_cast<double>(rss_peak_kb - rss_before_kb) / static_cast<double>(conns);
  return out;
}

}  // namespace switchyard::bench
