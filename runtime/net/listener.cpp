#include <switchyard/net/listener.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>
#include <utility>

#include <switchyard/errors.hpp>
#include <switchyard/net/error.hpp>
#include <switchyard/this_task.hpp>

#include "core/logger.hpp"
#include "net/address.hpp"
#include "net/failure.hpp"
#include "task/wait.hpp"

namespace switchyard::net {

namespace {

bool out_of_resources(int err) noexcept {
  return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

// Out of descriptors or memory, a server that gave up accepting would be down for good, though
// the shortage is usually brief (connections close): the connection waits in the backlog, and
// accept() tries again after a pause that doubles from 5 ms up to a second, as Go's net/http
// does. Each accept() says so once. pause_for_resources() waits and returns the next pause.
std::chrono::milliseconds pause_for_resources(int err, std::chrono::milliseconds pause,
                                              Deadline deadline, const std::string& address) {
  using namespace std::chrono_literals;
  const std::string why = std::generic_category().message(err);
  if (pause == 0ms) {
    switchyard::detail::log(
        LogLevel::warning, "accept_paused", {{"address", address}, {"error", why}},
        "switchyard: accept on {}: {}; trying again as descriptors close", address, why);
    pause = 5ms;
  }
  const auto now = Deadline::clock::now();
  if (!deadline.is_none() && deadline.at() - now <= pause) {
    this_task::sleep_until(deadline.at());
    throw TimeoutError(std::make_error_code(std::errc::timed_out),
                       detail::what("accept on", address, "the deadline passed while " + why));
  }
  this_task::sleep_until(now + pause);
  return std::min<std::chrono::milliseconds>(2 * pause, 1s);
}

}  // namespace

Listener::Listener(int fd, std::string address, std::uint16_t port) noexcept
    : fd_(fd), address_(std::move(address)), port_(port) {}

Listener::~Listener() {
  close();
}

Listener::Listener(Listener&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      address_(std::move(other.address_)),
      port_(other.port_),
      source_(std::exchange(other.source_, nullptr)) {}

Listener& Listener::operator=(Listener&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    address_ = std::move(other.address_);
    port_ = other.port_;
    source_ = std::exchange(other.source_, nullptr);
  }
  return *this;
}

void Listener::close() noexcept {
  if (fd_ < 0) return;
  switchyard::detail::release_fd(source_);
  ::close(fd_);
  fd_ = -1;
}

Socket Listener::accept(Deadline deadline) {
  if (fd_ < 0) detail::fail("accept on", address_, EBADF);
  std::chrono::milliseconds pause{0};
  for (;;) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int fd =
        ::accept4(fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      // Already non-blocking (SOCK_NONBLOCK): no need for adopt()'s fcntl() calls.
      Socket s(fd, detail::to_string(reinterpret_cast<sockaddr*>(&addr), len));
      s.set_nodelay(true);
      return s;
    }
    // A connection that was reset before it was accepted is the client's problem, not ours.
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (out_of_resources(errno)) {
      pause = pause_for_resources(errno, pause, deadline, address_);
      continue;
    }
    if (errno != EAGAIN) detail::fail("accept on", address_, errno);
    detail::await(fd_, source_, true, deadline, "accept on", address_);
  }
}

Listener listen(std::string_view host_port, int backlog) {
  const auto endpoints = detail::resolve(host_port, "listen");
  int last_error = EADDRNOTAVAIL;
  for (const auto& e : endpoints) {
    const int fd = ::socket(e.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last_error = errno;
      continue;
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) != 0 ||
        ::listen(fd, backlog) != 0) {
      last_error = errno;
      ::close(fd);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    const auto port = e.addr.ss_family == AF_INET6
                          ? ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port)
                          : ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
    return Listener(fd, detail::to_string(reinterpret_cast<sockaddr*>(&bound), len), port);
  }
  detail::fail("listen on", host_port, last_error);
}

}  // namespace switchyard::net
