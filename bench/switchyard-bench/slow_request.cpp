#include "slow_request.hpp"

#include <array>

#include "protocol.hpp"

namespace switchyard::bench {

void slow_request(net::Socket& socket, std::string_view line, Deadline deadline) {
  std::array<char, kSlowReply> reply{};
  socket.write_all(line, deadline);
  socket.read_exact(reply.data(), reply.size(), deadline);
  check_reply({reply.data(), reply.size()}, kSlowReply);
}

}  // namespace switchyard::bench
