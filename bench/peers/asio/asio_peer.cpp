// The workloads written the way a C++ team would write them without Switchyard: Boost.Asio with
// C++20 coroutines, one io_context per core, each run by a thread of its own.
//
// Usage: asio-peer echo-server [--addr 127.0.0.1:0] [--threads N]
//        asio-peer slowio --server IP:PORT [--slow-conns N] [--slow-requests N]
//                         [--slow-delay-us N] [--threads N]
// N threads: one per hardware thread by default. echo-server prints the bound address on the
// first line of standard output, then serves until SIGINT or SIGTERM; slowio prints its JSON
// line (README.md, Output).
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cxx_peer.hpp"
#include "echo_server.hpp"
#include "slowio.hpp"

namespace {

int usage() {
  std::fputs(
      "usage: asio-peer echo-server [--addr 127.0.0.1:0] [--threads N (1..256)]\n"
      "       asio-peer slowio --server IP:PORT [--slow-conns N (1..1000000)] "
      "[--slow-requests N (1..10000000)] [--slow-delay-us N (0..3600000000)] "
      "[--threads N (1..256)]\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view workload = argc >= 2 ? argv[1] : "";
  std::string addr = "127.0.0.1:0";
  std::uint64_t threads = asio_peer::default_threads();
  asio_peer::SlowioOptions slowio;
  if ((workload != "echo-server" && workload != "slowio") ||
      !peers::parse_flags(argc, argv, 2,
                          {{"--addr", &addr},
                           {"--server", &slowio.server},
                           {"--slow-conns", &slowio.conns},
                           {"--slow-requests", &slowio.requests},
                           {"--slow-delay-us", &slowio.delay_us},
                           {"--threads", &threads}})) {
    return usage();
  }
  try {
    if (workload == "echo-server") return asio_peer::run_echo_server(addr, threads);
    slowio.threads = threads;
    return asio_peer::run_slowio(slowio);
  } catch (const std::invalid_argument& e) {
    std::cerr << "asio-peer " << workload << ": " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "asio-peer " << workload << ": " << e.what() << '\n';
    return 1;
  }
}
