// Socket: a connected TCP stream whose calls suspend the calling task, not its thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <switchyard/deadline.hpp>
#include <switchyard/net/error.hpp>

namespace switchyard::detail {
class IoSource;
}

namespace switchyard::net {

// Socket owns one connected, non-blocking TCP socket. In a task on a fiber worker a call that
// must wait suspends the task and the worker runs other tasks; on a pool thread or outside a
// runtime it blocks the thread. Every call takes a Deadline (none by default) and throws
// TimeoutError when it passes, IoError when the system call fails, and TaskCancelled when the
// runtime shuts down while the task waits. One task may read while another writes; two
// concurrent readers (or writers) of one socket are not supported.
class Socket {
 public:
  Socket() noexcept = default;
  ~Socket();
  Socket(Socket&& other) noexcept;
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // adopt() takes ownership of a connected stream socket `fd` (made non-blocking here);
  // `peer` names the other end in error messages. IoError for a descriptor that is no socket
  // or another type of socket (wrong_protocol_type: a datagram's short read may leave a
  // message queued, which the read protocol takes for drained).
  static Socket adopt(int fd, std::string peer);

  // read_some() reads at least one byte and at most `size`; 0 means the peer closed its end.
  std::size_t read_some(char* data, std::size_t size, Deadline deadline = {});
  // read_exact() reads exactly `size` bytes; IoError (connection_aborted) if the peer closes
  // first.
  void read_exact(char* data, std::size_t size, Deadline deadline = {});
  // read_line() reads up to and including the next '\n' and returns the line without it. At
  // end of stream it returns what is pending (a last line with no '\n'), then nullopt. A line
  // longer than `max_bytes` is an IoError (message_size). Bytes after the '\n' stay
  // buffered for the next read.
  std::optional<std::string> read_line(Deadline deadline = {}, std::size_t max_bytes = 65536);
  // write_all() writes every byte of `data`.
  void write_all(std::string_view data, Deadline deadline = {});
  // shutdown_write() tells the peer nothing more will be written (it reads end of stream).
  void shutdown_write();
  // close() releases the socket; later calls throw IoError (EBADF). A task waiting on it in
  // another task's call gets IoError (EBADF) too. The destructor closes.
  void close() noexcept;

  bool is_open() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  // peer() is the other end as "host:port" ("[v6]:port" for IPv6).
  const std::string& peer() const noexcept { return peer_; }
  // set_nodelay() turns Nagle's algorithm off (true) or on.
  void set_nodelay(bool on);

 private:
  friend Socket connect(std::string_view host_port, Deadline deadline);
  friend class Listener;
  Socket(int fd, std::string peer);
  std::size_t read_buffered(char* data, std::size_t size) noexcept;
  std::size_t read_unbuffered(char* data, std::size_t size, Deadline deadline);

  int fd_ = -1;
  std::string peer_;
  std::string buffer_;  // bytes read past the last line
  std::size_t buffer_pos_ = 0;
  detail::IoSource* source_ = nullptr;  // registration with a reactor, made on first wait
};

// connect() opens a TCP connection to "host:port" ("[::1]:port" for IPv6), with TCP_NODELAY
// set. Numeric addresses never block the thread; a host name is resolved with getaddrinfo(),
// which does. Text that is not host:port is a std::invalid_argument naming it.
Socket connect(std::string_view host_port, Deadline deadline = {});

}  // namespace switchyard::net
