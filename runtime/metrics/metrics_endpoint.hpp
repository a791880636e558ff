// MetricsEndpoint: the live metrics of one runtime, served over HTTP while it runs.
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <thread>

#include <switchyard/net/listener.hpp>
#include <switchyard/net/socket.hpp>

namespace switchyard::detail {

class RuntimeCore;

// MetricsEndpoint answers GET /metrics with the Prometheus text format and GET /report.json
// with the runtime's report, one connection at a time, from a thread of its own. Not a task:
// it must answer while every fiber worker is stalled (the moment one looks), must not show up
// among the kinds it measures, and must not keep shutdown waiting on an accept. It reads the
// runtime only through report() and load(), which lock each kind and executor briefly; nothing
// is computed between scrapes.
class MetricsEndpoint {
 public:
  // MetricsEndpoint() listens on `address` (host:port; port 0 picks a free one) and starts
  // serving. Throws std::invalid_argument for text that is not host:port, net::IoError when it
  // cannot listen there, std::system_error when no thread can be started.
  MetricsEndpoint(const RuntimeCore& runtime, std::string_view address);
  // ~MetricsEndpoint() stops listening, lets an answer in progress finish (each is bounded by
  // kClientTimeout), and joins the thread.
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // address() is where it listens, "host:port", with the port the kernel chose for ":0".
  const std::string& address() const noexcept { return listener_.address(); }

  // kClientTimeout bounds the time one client may take to send its request and read the
  // answer: a slow or silent client holds the endpoint no longer.
  static constexpr std::chrono::seconds kClientTimeout{5};
  // kMaxRequestLine and kMaxHeaders bound what a request may send before it is answered.
  static constexpr std::size_t kMaxRequestLine = 8192;
  static constexpr int kMaxHeaders = 100;

 private:
  void serve() noexcept;
  void answer(net::Socket& client);
  std::string respond(std::string_view request_line) const;

  const RuntimeCore& runtime_;
  net::Listener listener_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace switchyard::detail
