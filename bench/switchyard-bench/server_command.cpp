#include "server_command.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <iostream>
#include <system_error>

#include <fmt/core.h>

#include <switchyard/errors.hpp>

#include "options.hpp"

namespace switchyard::bench {

SignalFd::SignalFd() {
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

SignalFd::~SignalFd() {
  ::close(fd_);
}

std::string wait_for_stop(const SignalFd& signals, bool watch_stdin, const Future<void>& acceptor) {
  std::array<pollfd, 2> fds{
      {{signals.fd(), POLLIN, 0}, {watch_stdin ? STDIN_FILENO : -1, POLLIN, 0}}};
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
      if (::read(signals.fd(), &info, sizeof info) != sizeof info) return "signalfd failed";
      return ::strsignal(static_cast<int>(info.ssi_signo));
    }
    if (fds[1].revents != 0) {
      std::array<char, 4096> discard{};
      const ssize_t n = ::read(STDIN_FILENO, discard.data(), discard.size());
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return "end of standard input";
    }
  }
}

net::Listener open_listener(const std::string& addr) {
  net::Listener listener;
  try {
    listener = net::listen(addr);
  } catch (const std::exception& e) {  // IoError, or std::invalid_argument for a bad address
    throw UsageError(fmt::format("--addr {}: {}", addr, e.what()));
  }
  std::cout << listener.address() << std::endl;
  return listener;
}

int stop_server(Runtime& runtime, Future<void>& acceptor, std::string_view name) {
  runtime.shutdown(std::chrono::milliseconds(0));
  try {
    acceptor.get();
  } catch (const TaskCancelled&) {
    // How the accept loop ends when the server stops.
  } catch (const std::exception& e) {
    std::cerr << name << ": accept loop failed: " << e.what() << '\n';
    return 1;
  }
  return 0;
}

}  // namespace switchyard::bench
