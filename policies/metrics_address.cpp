#include <string>
#include <string_view>

#include <switchyard/config.hpp>
#include <switchyard/config_limits.hpp>

namespace switchyard {

// The host is left to the resolver when the endpoint starts: a name, an IPv4 address, or an
// IPv6 one in brackets all end in ":port", which is what a file can get wrong unseen.
std::string metrics_address_problem(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > kMaxMetricsAddressBytes) {
    return "is " + std::to_string(text.size()) + " bytes long, longer than the " +
           std::to_string(kMaxMetricsAddressBytes) + " a host:port can be";
  }
  const std::size_t colon = text.rfind(':');
  const std::string_view port = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  const bool bad_port = port.empty() || port.size() > 5 ||
                        port.find_first_not_of("0123456789") != std::string_view::npos ||
                        std::stoul(std::string(port)) > 65535;
  if (colon == 0 || bad_port) {
    return "must be host:port, with a port from 0 to 65535 (\"127.0.0.1:9464\"), or \"\"";
  }
  return {};
}

}  // namespace switchyard
