// Listener: a listening TCP socket.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <switchyard/deadline.hpp>
#include <switchyard/net/socket.hpp>

namespace switchyard::net {

// Listener accepts connections; accept() waits the way Socket's reads do (suspends a task on
// a fiber worker, blocks a thread elsewhere).
class Listener {
 public:
  Listener() noexcept = default;
  ~Listener();
  Listener(Listener&& other) noexcept;
  Listener& operator=(Listener&& other) noexcept;
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // accept() returns the next connection (TCP_NODELAY set); TimeoutError when the deadline
  // passes first. Out of descriptors or buffers (EMFILE, ENFILE, ENOBUFS, ENOMEM), it says so
  // through the log sink (log.hpp) and tries again after pauses of 5 ms doubling to 1 s: the
  // connection waits in the backlog until the program closes others.
  Socket accept(Deadline deadline = {});
  // close() stops listening. The destructor closes.
  void close() noexcept;

  bool is_open() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  // address() is the bound address as "host:port", with the port the kernel chose for ":0".
  const std::string& address() const noexcept { return address_; }
  std::uint16_t port() const noexcept { return port_; }

 private:
  friend Listener listen(std::string_view host_port, int backlog);
  Listener(int fd, std::string address, std::uint16_t port) noexcept;

  int fd_ = -1;
  std::string address_;
  std::uint16_t port_ = 0;
  detail::IoSource* source_ = nullptr;
};

// listen() binds "host:port" (port 0: any free port; "[::1]:0" for IPv6) with SO_REUSEADDR
// and listens with `backlog`. Text that is not host:port is a std::invalid_argument naming
// it; a bind or listen failure is an IoError.
Listener listen(std::string_view host_port, int backlog = 4096);

}  // namespace switchyard::net
