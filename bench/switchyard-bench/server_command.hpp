// What the server commands of switchyard-bench (delay-server, echo-server) share: their
// listener, and what stops them (SIGINT, SIGTERM, or the end of standard input for a harness
// that holds it).
#pragma once

#include <string>
#include <string_view>

#include <switchyard/future.hpp>
#include <switchyard/net/listener.hpp>
#include <switchyard/runtime.hpp>

namespace switchyard::bench {

// SignalFd receives SIGINT and SIGTERM as a readable descriptor. Created before any other
// thread, it blocks both signals in the calling thread, and every thread started later
// inherits that mask, so no thread is interrupted by them. Throws std::system_error.
class SignalFd {
 public:
  SignalFd();
  ~SignalFd();
  SignalFd(const SignalFd&) = delete;
  SignalFd& operator=(const SignalFd&) = delete;

  int fd() const noexcept { return fd_; }

 private:
  int fd_ = -1;
};

// wait_for_stop() blocks the calling thread until a signal arrives on `signals`, standard input
// ends (when `watch_stdin`), or the accept loop has ended, which only a failure does. Returns
// what happened.
std::string wait_for_stop(const SignalFd& signals, bool watch_stdin, const Future<void>& acceptor);

// open_listener() listens on `addr` and prints the bound address as the first line of standard
// output. Throws UsageError when `addr` cannot be listened on.
net::Listener open_listener(const std::string& addr);

// stop_server() cancels every task of `runtime` at once (a server's tasks wait in accepts,
// reads or delays, and would spend a grace period waiting), then collects the accept loop:
// returns 0, or 1 after saying on standard error, as `name`, why the loop failed. Blocks.
int stop_server(Runtime& runtime, Future<void>& acceptor, std::string_view name);

}  // namespace switchyard::bench
