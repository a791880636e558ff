// BlockingConnection: a delay-server connection through plain blocking POSIX sockets.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace switchyard::bench {

// BlockingConnection stands in for a blocking client library the runtime cannot see into:
// socket(), connect(), write() and read() block the calling thread, whatever runs on it.
// Move-only; one thread at a time may use it.
class BlockingConnection {
 public:
  // open() connects to "host:port" ("[v6]:port"), blocking the calling thread; a read that
  // waits longer than `timeout` fails. Throws std::runtime_error naming the server and why.
  static BlockingConnection open(std::string_view host_port, std::chrono::milliseconds timeout);

  BlockingConnection(BlockingConnection&& other) noexcept;
  BlockingConnection& operator=(BlockingConnection&& other) noexcept;
  BlockingConnection(const BlockingConnection&) = delete;
  BlockingConnection& operator=(const BlockingConnection&) = delete;
  ~BlockingConnection();

  // request() sends `line`, the request_line() of a request for `reply_bytes`, and reads its
  // whole reply, blocking the calling thread; returns the reply's size. Throws
  // std::runtime_error on a failed call or a wrong reply, after which the connection is
  // unusable.
  std::size_t request(std::string_view line, std::size_t reply_bytes);

 private:
  BlockingConnection(int fd, std::string server) noexcept;

  int fd_ = -1;
  std::string server_;
  std::string reply_;  // reused from request to request
};

}  // namespace switchyard::bench
