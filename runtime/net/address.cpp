#include "net/address.hpp"

#include <arpa/inet.h>
#include <netdb.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "net/failure.hpp"

namespace switchyard::net::detail {

namespace {

struct HostPort {
  std::string host;
  std::string port;             // as written, for getaddrinfo()
  std::uint16_t port_number{};  // as parsed and checked
};

HostPort split(std::string_view text, const char* call) {
  auto bad = [&](const char* why) {
    return std::invalid_argument(std::string("switchyard::net::") + call + ": bad address '" +
                                 std::string(text) + "': " + why);
  };
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      throw bad("expected [IPv6 address]:port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) throw bad("expected host:port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) throw bad("write an IPv6 host as [host]:port");
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    throw bad("the port must be a number from 0 to 65535");
  }
  if (host.empty()) throw bad("the host is missing");
  return {std::string(host), std::string(port), static_cast<std::uint16_t>(value)};
}

}  // namespace

std::vector<Endpoint> resolve(std::string_view host_port, const char* call) {
  const HostPort hp = split(host_port, call);
  // A numeric address needs no resolver (getaddrinfo costs more than the connect).
  const std::uint16_t port = hp.port_number;
  Endpoint e;
  auto* in = reinterpret_cast<sockaddr_in*>(&e.addr);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&e.addr);
  if (inet_pton(AF_INET, hp.host.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    e.len = sizeof(sockaddr_in);
    return {e};
  }
  if (inet_pton(AF_INET6, hp.host.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    e.len = sizeof(sockaddr_in6);
    return {e};
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(hp.host.c_str(), hp.port.c_str(), &hints, &list);
  if (rc != 0) {
    fail(call, host_port, std::errc::host_unreachable,
         "cannot resolve '" + hp.host + "': " + gai_strerror(rc));
  }
  std::vector<Endpoint> out;
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    std::memcpy(&e.addr, ai->ai_addr, ai->ai_addrlen);
    e.len = ai->ai_addrlen;
    out.push_back(e);
    e = {};
  }
  freeaddrinfo(list);
  return out;
}

std::string to_string(const sockaddr* addr, socklen_t len) {
  char host[INET6_ADDRSTRLEN] = "?";
  unsigned port = 0;
  if (addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    return fmt::format("{}:{}", host, port);
  }
  if (addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
    return fmt::format("[{}]:{}", host, port);
  }
  return "(unnamed)";
}

}  // namespace switchyard::net::detail
