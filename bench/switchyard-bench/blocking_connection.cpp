#include "blocking_connection.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <utility>

#include <fmt/core.h>

#include "protocol.hpp"

namespace switchyard::bench {

namespace {

[[noreturn]] void fail(std::string_view server, std::string_view what, int error) {
  throw std::runtime_error(fmt::format("{} {}: {}", what, server, std::strerror(error)));
}

// connect_to() resolves "host:port" ("[v6]:port") and connects a blocking TCP socket to the
// first address that accepts.
int connect_to(std::string_view host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string_view::npos) {
    throw std::runtime_error(fmt::format("server {} is not HOST:PORT", host_port));
  }
  std::string host(host_port.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port(host_port.substr(colon + 1));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw std::runtime_error(fmt::format("resolve {}: {}", host_port, ::gai_strerror(rc)));
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(found, ::freeaddrinfo);
  int error = 0;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
    error = errno;
    ::close(fd);
  }
  fail(host_port, "connect to", error);
}

}  // namespace

BlockingConnection BlockingConnection::open(std::string_view host_port,
                                            std::chrono::milliseconds timeout) {
  BlockingConnection c(connect_to(host_port), std::string(host_port));
  // Go's net.Dial turns Nagle off too; each request is one write either way.
  const int one = 1;
  ::setsockopt(c.fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const timeval limit{.tv_sec = static_cast<time_t>(timeout.count() / 1000),
                      .tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
  if (::setsockopt(c.fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) != 0 ||
      ::setsockopt(c.fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) != 0) {
    fail(host_port, "set timeouts on the connection to", errno);
  }
  return c;
}

BlockingConnection::BlockingConnection(int fd, std::string server) noexcept
    : fd_(fd), server_(std::move(server)) {}

BlockingConnection::BlockingConnection(BlockingConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      server_(std::move(other.server_)),
      reply_(std::move(other.reply_)) {}

BlockingConnection& BlockingConnection::operator=(BlockingConnection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    server_ = std::move(other.server_);
    reply_ = std::move(other.reply_);
  }
  return *this;
}

BlockingConnection::~BlockingConnection() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t BlockingConnection::request(std::string_view line, std::size_t reply_bytes) {
  for (std::size_t sent = 0; sent < line.size();) {
    const ssize_t n = ::send(fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EINTR) fail(server_, "write to", errno);
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  reply_.resize(reply_bytes);
  std::size_t got = 0;
  while (got < reply_.size()) {
    const ssize_t n = ::read(fd_, reply_.data() + got, reply_.size() - got);
    if (n == 0) break;  // the server closed: check_reply() says what arrived
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        fail(server_, "no reply in time from", ETIMEDOUT);
      fail(server_, "read from", errno);
    }
    got += static_cast<std::size_t>(n);
  }
  reply_.resize(got);
  check_reply(reply_, reply_bytes);
  return got;
}

}  // namespace switchyard::bench
