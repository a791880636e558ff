// Address parsing ("host:port", "[v6]:port"), over any text. A text is either refused
// (std::invalid_argument for a malformed one, IoError for a host that does not resolve) or
// resolved to addresses each of which, named by to_string(), resolves back to itself.
//
// Host names must not reach a resolver from a fuzzer: this program defines getaddrinfo()
// and freeaddrinfo() itself, and the library's calls bind to them. "localhost" and names
// under ".test" (which RFC 6761 keeps off the network) resolve to the loopback addresses;
// every other name does not resolve.
#include <netdb.h>
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#include <switchyard/net/error.hpp>

#include "net/address.hpp"
#include "require.hpp"

namespace {

// Loopback is one getaddrinfo() answer and its address, in a single allocation.
struct Loopback {
  addrinfo info;
  sockaddr_in6 address;
};

addrinfo* loopback(int family, std::uint16_t port, addrinfo* next) {
  auto* entry = static_cast<Loopback*>(std::calloc(1, sizeof(Loopback)));
  if (entry == nullptr) return next;
  entry->info.ai_family = family;
  entry->info.ai_socktype = SOCK_STREAM;
  entry->info.ai_addr = reinterpret_cast<sockaddr*>(&entry->address);
  entry->info.ai_next = next;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&entry->address);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    entry->info.ai_addrlen = sizeof(sockaddr_in);
  } else {
    entry->address.sin6_family = AF_INET6;
    entry->address.sin6_port = htons(port);
    entry->address.sin6_addr = in6addr_loopback;
    entry->info.ai_addrlen = sizeof(sockaddr_in6);
  }
  return &entry->info;
}

bool resolvable(std::string_view host) {
  constexpr std::string_view kTest = ".test";
  return host == "localhost" ||
         (host.size() > kTest.size() && host.substr(host.size() - kTest.size()) == kTest);
}

}  // namespace

extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo*,
                           addrinfo** result) {
  *result = nullptr;
  if (node == nullptr || service == nullptr || !resolvable(node)) return EAI_NONAME;
  const auto port = static_cast<std::uint16_t>(std::strtoul(service, nullptr, 10));
  *result = loopback(AF_INET6, port, loopback(AF_INET, port, nullptr));
  return *result == nullptr ? EAI_MEMORY : 0;
}

extern "C" void freeaddrinfo(addrinfo* list) noexcept {
  while (list != nullptr) {
    addrinfo* next = list->ai_next;
    std::free(list);  // the Loopback that starts with it
    list = next;
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace switchyard::net::detail;
  using switchyard::fuzz::require;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const Endpoint& e : resolve(text, "connect to")) {
      const std::string name = to_string(reinterpret_cast<const sockaddr*>(&e.addr), e.len);
      const auto again = resolve(name, "connect to");
      require(again.size() == 1, "an address's name does not resolve to one address");
      require(again[0].len == e.len && std::memcmp(&again[0].addr, &e.addr, e.len) == 0,
              "an address's name resolves to another address");
    }
  } catch (const std::invalid_argument&) {
  } catch (const switchyard::net::IoError&) {
  }
  return 0;
}
