#include <switchyard/net/socket.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include "io/io_source.hpp"
#include "net/address.hpp"
#include "net/failure.hpp"
#include "task/wait.hpp"

namespace switchyard::net {

namespace {

// Lines are read in chunks of this many bytes.
constexpr std::size_t kChunk = 2048;

// read_with() is a socket's read loop: it calls `read()`, one non-blocking read of at most
// `size` bytes that returns what read(2) does, until that does not fail with EAGAIN. When the
// last read drained the socket (IoSource::wait_before_read()) it waits for readiness first;
// however that wait ends (a deadline passed, the task cancelled), the read still comes, so
// what is queued is read and only a read that finds nothing waits, times out or is cancelled,
// as when every read went first.
template <class Read>
std::size_t read_with(int fd, switchyard::detail::IoSource*& source, Deadline deadline,
                      std::string_view peer, std::size_t size, Read read) {
  if (fd < 0) detail::fail("read from", peer, EBADF);
  // A task writing the socket at the same time may register it (wait_fd()).
  std::atomic_ref<switchyard::detail::IoSource*> registration(source);
  if (auto* s = registration.load(std::memory_order_acquire);
      s != nullptr && s->wait_before_read()) {
    try {
      (void)switchyard::detail::wait_fd(fd, source, true, deadline.at());
    } catch (const std::system_error&) {
      // The read says what is wrong, or waits again and reports it.
    }
  }
  for (;;) {
    const ssize_t n = read();
    if (n >= 0) {
      if (auto* s = registration.load(std::memory_order_acquire); s != nullptr) {
        s->read_drained = n > 0 && static_cast<std::size_t>(n) < size;
      }
      return static_cast<std::size_t>(n);
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) detail::fail("read from", peer, errno);
    detail::await(fd, source, true, deadline, "read from", peer);
  }
}

// read_appending() reads up to kChunk bytes of `fd` into the calling thread's chunk and appends
// what came to `out`; returns what read(2) does. Growing `out` by a chunk to read into would
// zero the whole chunk on every read, and a chunk on the fiber's stack would put every frame
// of a wait below it a chunk deeper, in pages that each of 10,000 connections keeps resident.
// It never suspends, so the chunk stays this thread's until the append; not inlined, so that
// no caller keeps the chunk's address across a wait that may resume it on another thread.
[[gnu::noinline]] ssize_t read_appending(int fd, std::string& out) {
  thread_local std::array<char, kChunk> chunk;
  const ssize_t n = ::read(fd, chunk.data(), chunk.size());
  if (n > 0) out.append(chunk.data(), static_cast<std::size_t>(n));
  return n;
}

}  // namespace

Socket::Socket(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}

Socket::~Socket() {
  close();
}

Socket::Socket(Socket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      peer_(std::move(other.peer_)),
      buffer_(std::move(other.buffer_)),
      buffer_pos_(std::exchange(other.buffer_pos_, 0)),
      source_(std::exchange(other.source_, nullptr)) {}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    peer_ = std::move(other.peer_);
    buffer_ = std::move(other.buffer_);
    buffer_pos_ = std::exchange(other.buffer_pos_, 0);
    source_ = std::exchange(other.source_, nullptr);
  }
  return *this;
}

Socket Socket::adopt(int fd, std::string peer) {
  // A stream's short read leaves nothing queued (read_with() counts on it); a datagram's or a
  // packet's may leave the next message.
  int type = 0;
  socklen_t length = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0) detail::fail("adopt", peer, errno);
  if (type != SOCK_STREAM) {
    detail::fail("adopt", peer, std::errc::wrong_protocol_type,
                 "not a stream socket (SO_TYPE " + std::to_string(type) + ")");
  }
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    detail::fail("adopt", peer, errno);
  }
  return Socket(fd, std::move(peer));
}

void Socket::close() noexcept {
  if (fd_ < 0) return;
  switchyard::detail::release_fd(source_);
  ::close(fd_);
  fd_ = -1;
  buffer_.clear();
  buffer_pos_ = 0;
}

std::size_t Socket::read_buffered(char* data, std::size_t size) noexcept {
  const std::size_t n = std::min(size, buffer_.size() - buffer_pos_);
  std::memcpy(data, buffer_.data() + buffer_pos_, n);
  buffer_pos_ += n;
  if (buffer_pos_ == buffer_.size()) {
    buffer_.clear();
    buffer_pos_ = 0;
  }
  return n;
}

std::size_t Socket::read_some(char* data, std::size_t size, Deadline deadline) {
  if (buffer_pos_ < buffer_.size()) return read_buffered(data, size);
  return read_unbuffered(data, size, deadline);
}

std::size_t Socket::read_unbuffered(char* data, std::size_t size, Deadline deadline) {
  return read_with(fd_, source_, deadline, peer_, size, [&] { return ::read(fd_, data, size); });
}

void Socket::read_exact(char* data, std::size_t size, Deadline deadline) {
  std::size_t done = 0;
  while (done < size) {
    const std::size_t n = read_some(data + done, size - done, deadline);
    if (n == 0) {
      detail::fail("read_exact from", peer_, std::errc::connection_aborted,
                   "the peer closed after " + std::to_string(done) + " of " + std::to_string(size) +
                       " bytes");
    }
    done += n;
  }
}

std::optional<std::string> Socket::read_line(Deadline deadline, std::size_t max_bytes) {
  std::size_t scanned = buffer_pos_;
  for (;;) {
    const auto nl = buffer_.find('\n', scanned);
    const std::size_t pending = (nl == std::string::npos ? buffer_.size() : nl) - buffer_pos_;
    if (pending > max_bytes) {
      detail::fail("read_line from", peer_, std::errc::message_size,
                   "no end of line in " + std::to_string(max_bytes) + " bytes");
    }
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(buffer_pos_, nl - buffer_pos_);
      buffer_pos_ = nl + 1;
      if (buffer_pos_ == buffer_.size()) {
        buffer_.clear();
        buffer_pos_ = 0;
      }
      return line;
    }
    if (buffer_pos_ > 0) {
      buffer_.erase(0, buffer_pos_);
      buffer_pos_ = 0;
    }
    scanned = buffer_.size();
    const std::size_t n = read_with(fd_, source_, deadline, peer_, kChunk,
                                    [this] { return read_appending(fd_, buffer_); });
    if (n == 0) {
      if (buffer_.empty()) return std::nullopt;
      std::string last = std::move(buffer_);
      buffer_.clear();
      return last;
    }
  }
}

void Socket::write_all(std::string_view data, Deadline deadline) {
  if (fd_ < 0) detail::fail("write to", peer_, EBADF);
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) detail::fail("write to", peer_, errno);
    detail::await(fd_, source_, false, deadline, "write to", peer_);
  }
}

void Socket::shutdown_write() {
  if (::shutdown(fd_, SHUT_WR) != 0) detail::fail("shutdown_write to", peer_, errno);
}

void Socket::set_nodelay(bool on) {
  const int v = on ? 1 : 0;
  if (setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) != 0) {
    detail::fail("set_nodelay on", peer_, errno);
  }
}

Socket connect(std::string_view host_port, Deadline deadline) {
  const auto endpoints = detail::resolve(host_port, "connect");
  int last_error = EADDRNOTAVAIL;
  std::string peer(host_port);
  for (const auto& e : endpoints) {
    peer = detail::to_string(reinterpret_cast<const sockaddr*>(&e.addr), e.len);
    const int fd = ::socket(e.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) detail::fail("connect to", peer, errno);
    Socket s(fd, peer);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) != 0) {
      if (errno != EINPROGRESS) {
        last_error = errno;
        continue;
      }
      detail::await(fd, s.source_, false, deadline, "connect to", peer);
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        last_error = err;
        continue;
      }
    }
    // Requests and replies are small and written whole: no reason to wait for Nagle.
    s.set_nodelay(true);
    return s;
  }
  detail::fail("connect to", peer, last_error);
}

}  // namespace switchyard::net
