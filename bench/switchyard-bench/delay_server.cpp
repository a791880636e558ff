#include "delay_server.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

#include <fmt/core.h>

#include <switchyard/net/listener.hpp>
#include <switchyard/net/socket.hpp>
#include <switchyard/runtime.hpp>
#include <switchyard/this_task.hpp>

#include "protocol.hpp"
#include "server_command.hpp"

namespace switchyard::bench {

namespace {

// ServerCounts are the server's totals, updated by every connection's task.
struct ServerCounts {
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> malformed{0};
  std::atomic<std::uint64_t> failed{0};  // connections that ended in an I/O error
};

// filler_block() is what every reply is cut from: 'x' bytes ending in '\n'. A reply that fits
// is the block's tail, one write with no allocation per request; a longer one is whole blocks
// less their '\n', then a tail.
std::string filler_block() {
  std::string block(64 * 1024 - 1, 'x');
  block.push_back('\n');
  return block;
}

void write_reply(net::Socket& connection, std::string_view block, std::size_t bytes) {
  const std::string_view body = block.substr(0, block.size() - 1);
  for (; bytes > block.size(); bytes -= body.size()) connection.write_all(body);
  connection.write_all(block.substr(block.size() - bytes));
}

// refuse() sends `E <reason>` (over HTTP, as a 400 answer's body) and ends the connection. It shuts
// its side and drains what the client still sends before closing, for up to a second: closing with
// unread requests queued would reset the connection, and the reset can discard the reply before the
// client reads it.
void refuse(net::Socket& connection, std::string_view reason, bool http, ServerCounts& counts) {
  ++counts.malformed;
  const Deadline linger(std::chrono::seconds(1));
  try {
    const std::string body = fmt::format("E {}\n", reason);
    if (http) {
      connection.write_all(fmt::format("HTTP/1.1 400 Bad Request\r\nContent-Length: {}\r\n"
                                       "Connection: close\r\n\r\n",
                                       body.size()),
                           linger);
    }
    connection.write_all(body, linger);
    connection.shutdown_write();
    std::array<char, 4096> discard{};
    while (connection.read_some(discard.data(), discard.size(), linger) > 0) {
    }
  } catch (const net::IoError&) {
    // The client closed first or kept sending: close anyway.
  }
}

// skip_headers() reads an HTTP request's header lines up to the empty one, at most kMaxHeaders:
// the delay server needs none of them.
constexpr int kMaxHeaders = 100;
bool skip_headers(net::Socket& connection) {
  for (int i = 0; i < kMaxHeaders; ++i) {
    const auto header = connection.read_line(Deadline::none(), kMaxRequestLine);
    if (!header) return false;
    if (header->empty() || *header == "\r") return true;
  }
  return false;
}

// serve() answers one connection's requests until the client closes it or sends a malformed
// line: `D` lines, or HTTP GETs (kept alive) for HTTP client libraries. TaskCancelled (the
// server stopping) passes through.
void serve(net::Socket connection, std::string_view block, ServerCounts& counts) {
  bool http = false;
  try {
    while (const auto line = connection.read_line(Deadline::none(), kMaxRequestLine)) {
      http = line->starts_with("GET ");
      const auto parsed = http ? parse_http_request(*line) : parse_request(*line);
      if (const auto* reason = std::get_if<std::string>(&parsed)) {
        refuse(connection, *reason, http, counts);
        return;
      }
      if (http && !skip_headers(connection)) {
        refuse(connection, fmt::format("no end of headers within {} lines", kMaxHeaders), http,
               counts);
        return;
      }
      const Request& request = std::get<Request>(parsed);
      this_task::sleep_for(std::chrono::microseconds(request.delay_us));
      if (http) {
        connection.write_all(
            fmt::format("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
                        request.reply_bytes));
      }
      write_reply(connection, block, request.reply_bytes);
      ++counts.requests;
    }
  } catch (const net::IoError& e) {
    if (e.code() != std::errc::message_size) {
      ++counts.failed;
      return;
    }
    refuse(connection, fmt::format("line longer than {} bytes", kMaxRequestLine), http, counts);
  }
}

// accept_loop() spawns a task per connection until the runtime shuts down (TaskCancelled).
void accept_loop(Runtime& runtime, net::Listener listener, std::string_view block,
                 ServerCounts& counts) {
  while (true) {
    net::Socket connection;
    try {
      connection = listener.accept();
    } catch (const net::IoError& e) {
      // Out of descriptors, or a client gone before it was accepted: say so and keep serving,
      // pausing so that a persistent error does not spin.
      std::cerr << "delay-server: " << e.what() << '\n';
      this_task::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    ++counts.connections;
    // Each connection's future is dropped: serve() handles its own errors.
    runtime.spawn(
        "delay.conn",
        [c = std::move(connection), block, &counts]() mutable {
          serve(std::move(c), block, counts);
        },
        on(Placement::fiber));
  }
}

}  // namespace

int run_delay_server(const ServerOptions& options) {
  const SignalFd signals;
  Runtime runtime(runtime_config(options.runtime));
  net::Listener listener = open_listener(options.addr);
  ServerCounts counts;
  const std::string block = filler_block();
  Future<void> acceptor = runtime.spawn(
      "delay.accept",
      [&runtime, l = std::move(listener), &block, &counts]() mutable {
        accept_loop(runtime, std::move(l), block, counts);
      },
      on(Placement::fiber));
  const std::string why = wait_for_stop(signals, options.until_stdin_eof, acceptor);
  const int status = stop_server(runtime, acceptor, "delay-server");
  std::cerr << fmt::format(
      "delay-server: stopped ({}): {} connections, {} requests, {} malformed, {} failed\n", why,
      counts.connections.load(), counts.requests.load(), counts.malformed.load(),
      counts.failed.load());
  return status;
}

}  // namespace switchyard::bench
