#include "delay_server.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

#include <fmt/core.h>

#include <switchyard/errors.hpp>
#include <switchyard/net/listener.hpp>
#include <switchyard/net/socket.hpp>
#include <switchyard/runtime.hpp>
#include <switchyard/this_task.hpp>

#include "protocol.hpp"

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

// refuse() sends `E <reason>` and ends the connection. It shuts its side and drains what the
// client still sends before closing, for up to a second: closing with unread requests queued
// would reset the connection, and the reset can discard the reply before the client reads it.
void refuse(net::Socket& connection, std::string_view reason, ServerCounts& counts) {
  ++counts.malformed;
  const Deadline linger(std::chrono::seconds(1));
  try {
    connection.write_all(fmt::format("E {}\n", reason), linger);
    connection.shutdown_write();
    std::array<char, 4096> discard{};
    while (connection.read_some(discard.data(), discard.size(), linger) > 0) {
    }
  } catch (const net::IoError&) {
    // The client closed first or kept sending: close anyway.
  }
}

// serve() answers one connection's requests until the client closes it or sends a malformed
// line. TaskCancelled (the server stopping) passes through.
void serve(net::Socket connection, std::string_view block, ServerCounts& counts) {
  try {
    while (const auto line = connection.read_line(Deadline::none(), kMaxRequestLine)) {
      const auto parsed = parse_request(*line);
      if (const auto* reason = std::get_if<std::string>(&parsed)) {
        refuse(connection, *reason, counts);
        return;
      }
      const Request& request = std::get<Request>(parsed);
      this_task::sleep_for(std::chrono::microseconds(request.delay_us));
      write_reply(connection, block, request.reply_bytes);
      ++counts.requests;
    }
  } catch (const net::IoError& e) {
    if (e.code() != std::errc::message_size) {
      ++counts.failed;
      return;
    }
    refuse(connection, fmt::format("line longer than {} bytes", kMaxRequestLine), counts);
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

// wait_for_stop() blocks the calling thread until a signal arrives on `signals`, standard input
// ends (when `watch_stdin`), or the accept loop has ended, which only a failure does. Returns
// what happened.
std::string wait_for_stop(int signals, bool watch_stdin, const Future<void>& acceptor) {
  std::array<pollfd, 2> fds{{{signals, POLLIN, 0}, {watch_stdin ? STDIN_FILENO : -1, POLLIN, 0}}};
  while (true) {
    // The timeout is only for noticing a failed accept loop.
    const int ready = ::poll(fds.data(), fds.size(), 200);
    if (acceptor.ready()) return "the accept loop ended";
    if (ready < 0) {
      if (errno == EINTR) continue;
      return fmt::format("poll failed: {}", std::strerror(errno));
    }
    if (fds[0].revents != 0) {
      signalfd_siginfo info{};
      if (::read(signals, &info, sizeof info) != sizeof info) return "signalfd failed";
      return ::strsignal(static_cast<int>(info.ssi_signo));
    }
    if (fds[1].revents != 0) {
      std::array<char, 4096> discard{};
      const ssize_t n = ::read(STDIN_FILENO, discard.data(), discard.size());
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return "end of standard input";
    }
  }
}

// SignalFd receives SIGINT and SIGTERM as a readable descriptor. Created before any other
// thread, it blocks both signals in the calling thread, and every thread started later
// inherits that mask, so no thread is interrupted by them.
class SignalFd {
 public:
  SignalFd() {
    sigset_t stop;
    ::sigemptyset(&stop);
    ::sigaddset(&stop, SIGINT);
    ::sigaddset(&stop, SIGTERM);
    if (const int rc = ::pthread_sigmask(SIG_BLOCK, &stop, nullptr); rc != 0) {
      throw std::system_error(rc, std::generic_category(), "pthread_sigmask");
    }
    fd_ = ::signalfd(-1, &stop, SFD_CLOEXEC);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "signalfd");
  }
  ~SignalFd() { ::close(fd_); }
  SignalFd(const SignalFd&) = delete;
  SignalFd& operator=(const SignalFd&) = delete;

  int fd() const noexcept { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace

int run_delay_server(const ServerOptions& options) {
  const SignalFd signals;
  Runtime runtime(runtime_config(options.runtime));
  net::Listener listener;
  try {
    listener = net::listen(options.addr);
  } catch (const std::exception& e) {  // IoError, or std::invalid_argument for a bad address
    throw UsageError(fmt::format("--addr {}: {}", options.addr, e.what()));
  }
  std::cout << listener.address() << std::endl;

  ServerCounts counts;
  const std::string block = filler_block();
  Future<void> acceptor = runtime.spawn(
      "delay.accept",
      [&runtime, l = std::move(listener), &block, &counts]() mutable {
        accept_loop(runtime, std::move(l), block, counts);
      },
      on(Placement::fiber));
  const std::string why = wait_for_stop(signals.fd(), options.until_stdin_eof, acceptor);

  // Every task is waiting in accept, a read or a delay: cancel them now rather than after a
  // grace period they would spend waiting.
  runtime.shutdown(std::chrono::milliseconds(0));
  int status = 0;
  try {
    acceptor.get();
  } catch (const TaskCancelled&) {
    // How the accept loop ends when the server stops.
  } catch (const std::exception& e) {
    std::cerr << "delay-server: accept loop failed: " << e.what() << '\n';
    status = 1;
  }
  std::cerr << fmt::format(
      "delay-server: stopped ({}): {} connections, {} requests, {} malformed, {} failed\n", why,
      counts.connections.load(), counts.requests.load(), counts.malformed.load(),
      counts.failed.load());
  return status;
}

}  // namespace switchyard::bench
