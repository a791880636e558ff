// slow_request(): one request of slowio's kind through Switchyard's fiber-aware sockets.
#pragma once

#include <cstddef>
#include <string_view>

#include <switchyard/deadline.hpp>
#include <switchyard/net/socket.hpp>

namespace switchyard::bench {

// kSlowReply is the reply a slow request asks for: 64 bytes (BENCHMARKS.md, slowio).
inline constexpr std::size_t kSlowReply = 64;

// slow_request() sends `line`, the request_line() of a request for kSlowReply bytes, on
// `socket` and reads and checks the whole reply, all before `deadline`. Suspends the calling
// task (blocks a pool thread). Throws what the socket's calls throw, and std::runtime_error for
// a wrong reply.
void slow_request(net::Socket& socket, std::string_view line, Deadline deadline);

}  // namespace switchyard::bench
