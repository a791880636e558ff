// The delay server's line protocol (BENCHMARKS.md, "The delay server").
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace switchyard::bench {

// Request is one `D <delay_us> <reply_bytes>\n` line: after delay_us microseconds the server
// writes reply_bytes bytes, the last of them '\n'.
struct Request {
  std::uint64_t delay_us = 0;
  std::size_t reply_bytes = 1;
};

// kMaxRequestLine bounds a request line; a longer one is malformed.
inline constexpr std::size_t kMaxRequestLine = 256;
// kMaxDelayUs and kMaxReplyBytes bound what one request may ask of the server, so that a
// typo cannot park a connection for days or make the server write gigabytes.
inline constexpr std::uint64_t kMaxDelayUs = 3'600'000'000;  // an hour
inline constexpr std::size_t kMaxReplyBytes = std::size_t{1} << 30;

// kReplyGrace is how long a client waits for a reply beyond the delay it asked for before it
// counts the request as failed: a benchmark must end even when the server stops answering.
inline constexpr std::chrono::seconds kReplyGrace{30};

// reply_timeout() is how long a client waits for the reply to `request`: its delay and
// kReplyGrace.
inline std::chrono::microseconds reply_timeout(const Request& request) {
  return std::chrono::microseconds(request.delay_us) + kReplyGrace;
}

// request_line() is the request line for `request`, '\n' included. A client sending one
// request many times formats its line once.
std::string request_line(const Request& request);

// parse_request() reads a request line (without its '\n'): the request, or the reason it is
// malformed, as sent back in `E <reason>\n`.
std::variant<Request, std::string> parse_request(std::string_view line);

// parse_http_request() reads the request line of the same request over HTTP, for HTTP client
// libraries: `GET /delay?us=<delay_us>&bytes=<reply_bytes> HTTP/1.1` (without its "\r\n"),
// with the same bounds; or the reason it is malformed.
std::variant<Request, std::string> parse_http_request(std::string_view line);

// check_reply() throws std::runtime_error, naming what is wrong and quoting the start of the
// reply, unless `reply` is `expected_bytes` long and ends in '\n'.
void check_reply(std::string_view reply, std::size_t expected_bytes);

}  // namespace switchyard::bench
