#include "echo_server.hpp"

#include <chrono>
#include <iostream>
#include <string>

#include <fmt/core.h>

#include <switchyard/net/listener.hpp>
#include <switchyard/net/socket.hpp>
#include <switchyard/runtime.hpp>

#include "server_command.hpp"

namespace switchyard::bench {

namespace {

using namespace std::chrono_literals;

// serve() accepts connections for ever, a task of kind `echo` for each, which echoes lines
// until its client closes. A failed accept ends the loop and, through its future, the server.
void serve(Runtime& runtime, net::Listener& listener) {
  for (;;) {
    runtime.spawn("echo", [s = listener.accept()]() mutable {
      while (auto line = s.read_line(30s)) s.write_all(*line + "\n", 5s);
    });
  }
}

}  // namespace

int run_echo_server(const ServerOptions& options) {
  const SignalFd signals;
  Runtime runtime(runtime_config(options.runtime));
  net::Listener listener = open_listener(options.addr);
  Future<void> acceptor = runtime.spawn("echo.accept", [&] { serve(runtime, listener); });
  const std::string why = wait_for_stop(signals, options.until_stdin_eof, acceptor);
  const int status = stop_server(runtime, acceptor, "echo-server");
  std::cerr << "echo-server: stopped (" << why << ")\n";
  for (const Report::KindReport& k : runtime.report().kinds) {
    std::cerr << fmt::format("echo-server: kind {}: {} tasks, on {}, {} moves\n", k.name,
                             k.finished, to_string(k.placement), k.history.size());
  }
  return status;
}

}  // namespace switchyard::bench
