#include "metrics/metrics_endpoint.hpp"

#include <sys/socket.h>

#include <exception>

#include <fmt/format.h>

#include <switchyard/net/error.hpp>

#include "core/logger.hpp"
#include "core/runtime_core.hpp"
#include "metrics/prometheus_text.hpp"

namespace switchyard::detail {

namespace {

std::string http(std::string_view status, std::string_view type, std::string_view body, bool head) {
  std::string out = fmt::format(
      "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", status,
      type, body.size());
  if (!head) out += body;
  return out;
}

}  // namespace

MetricsEndpoint::MetricsEndpoint(const RuntimeCore& runtime, std::string_view address)
    : runtime_(runtime), listener_(net::listen(address, 64)) {
  thread_ = std::thread([this] { serve(); });
  log(LogLevel::info, "metrics_listening", {{"address", listener_.address()}},
      "switchyard: metrics on http://{}/metrics", listener_.address());
}

MetricsEndpoint::~MetricsEndpoint() {
  stopping_.store(true, std::memory_order_release);
  // Wakes the accept() the thread waits in: on Linux a listening socket shut down polls
  // readable, and accept() then fails.
  ::shutdown(listener_.fd(), SHUT_RDWR);
  thread_.join();
}

void MetricsEndpoint::serve() noexcept {
  while (!stopping_.load(std::memory_order_acquire)) {
    try {
      net::Socket client = listener_.accept();
      answer(client);
    } catch (const std::exception& e) {
      if (stopping_.load(std::memory_order_acquire)) return;
      // One client's failure (it hung up, it was too slow) ends its connection only.
      log(LogLevel::debug, "metrics_client_failed", {}, "switchyard: metrics endpoint: {}",
          e.what());
    }
  }
}

void MetricsEndpoint::answer(net::Socket& client) {
  const Deadline deadline(kClientTimeout);
  const std::optional<std::string> request = client.read_line(deadline, kMaxRequestLine);
  if (!request) return;
  // The headers are read and ignored, so that the client sees its request consumed.
  for (int i = 0; i < kMaxHeaders; ++i) {
    const std::optional<std::string> header = client.read_line(deadline, kMaxRequestLine);
    if (!header || header->empty() || *header == "\r") break;
  }
  client.write_all(respond(*request), deadline);
  client.shutdown_write();
}

std::string MetricsEndpoint::respond(std::string_view request_line) const {
  const std::size_t method_end = request_line.find(' ');
  const std::string_view method = request_line.substr(0, method_end);
  std::string_view target = method_end == std::string_view::npos
                                ? std::string_view{}
                                : request_line.substr(method_end + 1);
  target = target.substr(0, target.find_first_of(" ?"));
  const bool head = method == "HEAD";
  if (method != "GET" && !head) {
    return http("405 Method Not Allowed", "text/plain", "GET or HEAD only\n", false);
  }
  if (target == "/metrics") {
    return http("200 OK", "text/plain; version=0.0.4; charset=utf-8",
                prometheus_text(runtime_.report(), runtime_.load()), head);
  }
  if (target == "/report.json") {
    return http("200 OK", "application/json", runtime_.report().to_json(), head);
  }
  return http("404 Not Found", "text/plain", "/metrics or /report.json\n", head);
}

}  // namespace switchyard::detail
