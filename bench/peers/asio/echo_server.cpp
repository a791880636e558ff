// The echo server written the way a C++ team would write it without Switchyard: Boost.Asio with
// C++20 coroutines, one io_context per core, each on its own thread with its own acceptor on
// the shared port (SO_REUSEPORT: the kernel spreads the connections), and a coroutine per
// connection that reads a line and writes it back.
#include "echo_server.hpp"

#include <sys/socket.h>

#include <csignal>
#include <cstddef>
#include <exception>
#include <iostream>
#include <vector>

#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>

#include "asio_coroutines.hpp"
#include "endpoint.hpp"
#include "io_contexts.hpp"

namespace asio_peer {

namespace {

// kMaxLine bounds a line, as Switchyard's read_line does by default.
constexpr std::size_t kMaxLine = 65536;

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

}  // namespace

int run_echo_server(const std::string& addr, std::uint64_t threads) {
  tcp::endpoint endpoint = parse_endpoint("--addr", addr);
  IoContexts contexts(threads);
  std::vector<tcp::acceptor> acceptors;
  acceptors.reserve(contexts.size());
  for (std::size_t i = 0; i < contexts.size(); ++i) {
    tcp::acceptor& acceptor = acceptors.emplace_back(contexts[i], endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.set_option(reuse_port(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    endpoint = acceptor.local_endpoint();  // the port the first one got, for the others
  }
  std::cout << endpoint.address().to_string() << ':' << endpoint.port() << std::endl;

  asio::signal_set signals(contexts[0], SIGINT, SIGTERM);
  signals.async_wait([&contexts](const boost::system::error_code&, int) { contexts.stop(); });
  for (std::size_t i = 0; i < contexts.size(); ++i) {
    asio::co_spawn(contexts[i], accept_loop(acceptors[i]), asio::detached);
  }
  contexts.run();
  return 0;
}

}  // namespace asio_peer
