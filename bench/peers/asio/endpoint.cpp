#include "endpoint.hpp"

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <system_error>

namespace asio_peer {

tcp::endpoint parse_endpoint(std::string_view flag, const std::string& text) {
  const auto refuse = [&](std::string_view why) {
    return std::invalid_argument(std::string(flag) + " " + text + ": " + std::string(why));
  };
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw refuse("no port (expected IP:PORT)");
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code error;
  const asio::ip::address address = asio::ip::make_address(host, error);
  if (error) throw refuse("not an IP address (expected IP:PORT)");
  const std::string_view digits = std::string_view(text).substr(colon + 1);
  std::uint16_t port = 0;
  const auto [end, parsed] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (parsed != std::errc{} || end != digits.data() + digits.size()) {
    throw refuse("the port is not a number from 0 to 65535");
  }
  return {address, port};
}

}  // namespace asio_peer
