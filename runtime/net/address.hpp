// Parsing "host:port" text, and naming socket addresses the same way.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

namespace switchyard::net::detail {

// Endpoint is one resolved address.
struct Endpoint {
  sockaddr_storage addr{};  // addr.ss_family is its family
  socklen_t len = 0;
};

// resolve() turns "host:port" ("[v6]:port" for IPv6) into addresses, for `call` (named in
// errors). Numeric hosts never block; names go through getaddrinfo(), which may. Throws
// std::invalid_argument for text that is not host:port, IoError when the name does not resolve.
std::vector<Endpoint> resolve(std::string_view host_port, const char* call);

// to_string() names an address as "host:port" ("[v6]:port").
std::string to_string(const sockaddr* addr, socklen_t len);

}  // namespace switchyard::net::detail
