// parse_endpoint(): a flag's HOST:PORT as an Asio endpoint.
#pragma once

#include <string>
#include <string_view>

#include "asio_coroutines.hpp"

namespace asio_peer {

// parse_endpoint() reads `text`, the value of `flag`, as IP:PORT (an IPv6 address in
// brackets). Throws std::invalid_argument naming the flag and the value when it is not one.
tcp::endpoint parse_endpoint(std::string_view flag, const std::string& text);

}  // namespace asio_peer
