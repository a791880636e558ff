// The Boost.Asio the peer is written with: its C++20 coroutines (co_spawn, use_awaitable) and
// TCP, under short names.
#pragma once

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>, which GCC 12's
// headers no longer pull in on the way.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace asio_peer {

// asio and tcp name Boost.Asio and its TCP protocol.
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

}  // namespace asio_peer
