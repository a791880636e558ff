// The echo server written the way a C++ team would write it without Switchyard: Boost.Asio with
// C++20 coroutines, one io_context per core, each on its own thread with its own acceptor on
// the shared port (SO_REUSEPORT: the kernel spreads the connections), and a coroutine per
// connection that reads a line and writes it back.
//
// Usage: asio-echo-peer [--addr 127.0.0.1:0] [--threads N]   (N: default one per core)
// Prints the bound address on the first line of standard output, then serves until SIGINT or
// SIGTERM.
#include <sys/socket.h>

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>, which GCC 12's
// headers no longer pull in on the way.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <iterator>
#include <list>
#include <string>
#include <thread>
#include <vector>

#include "cxx_peer.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// kMaxLine bounds a line, as Switchyard's read_line does by default.
constexpr std::size_t kMaxLine = 65536;
constexpr std::uint64_t kMaxThreads = 256;

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

asio::awaitable<void> echo(tcp::socket socket) {
  std::string pending;
  try {
    for (;;) {
      const std::size_t n = co_await asio::async_read_until(
          socket, asio::dynamic_buffer(pending, kMaxLine), '\n', asio::use_awaitable);
      co_await asio::async_write(socket, asio::buffer(pending.data(), n), asio::use_awaitable);
      pending.erase(0, n);
    }
  } catch (const std::exception&) {
    // End of stream, a reset or a line too long: the connection ends.
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), echo(std::move(socket)), asio::detached);
  }
}

tcp::endpoint parse_endpoint(const std::string& addr) {
  const auto colon = addr.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("--addr " + addr + ": no port");
  return {asio::ip::make_address(addr.substr(0, colon)),
          static_cast<std::uint16_t>(std::stoul(addr.substr(colon + 1)))};
}

int usage() {
  std::fputs("usage: asio-echo-peer [--addr 127.0.0.1:0] [--threads N (1..256)]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string addr = "127.0.0.1:0";
  std::uint64_t threads = std::max(1U, std::thread::hardware_concurrency());
  if (!peers::parse_flags(argc, argv, 1, {{"--addr", &addr}, {"--threads", &threads}}) ||
      threads < 1 || threads > kMaxThreads) {
    return usage();
  }
  tcp::endpoint endpoint = parse_endpoint(addr);
  std::list<asio::io_context> contexts;  // io_context cannot move
  std::vector<tcp::acceptor> acceptors;
  for (std::uint64_t t = 0; t < threads; ++t) {
    asio::io_context& context = contexts.emplace_back(1);
    tcp::acceptor& acceptor = acceptors.emplace_back(context, endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.set_option(reuse_port(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    endpoint = acceptor.local_endpoint();  // the port the first one got, for the others
  }
  std::cout << endpoint.address().to_string() << ':' << endpoint.port() << std::endl;

  asio::signal_set signals(contexts.front(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    for (asio::io_context& c : contexts) c.stop();
  });
  std::size_t i = 0;
  for (asio::io_context& context : contexts) {
    asio::co_spawn(context, accept_loop(acceptors[i++]), asio::detached);
  }
  std::vector<std::thread> running;
  for (auto it = std::next(contexts.begin()); it != contexts.end(); ++it) {
    running.emplace_back([&context = *it] { context.run(); });
  }
  contexts.front().run();
  for (std::thread& t : running) t.join();
  return 0;
} catch (const std::exception& e) {
  std::cerr << "asio-echo-peer: " << e.what() << '\n';
  return 1;
}
