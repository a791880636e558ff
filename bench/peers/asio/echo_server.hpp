// run_echo_server(): the echo workload's server, as a C++ team writes it with Boost.Asio.
#pragma once

#include <cstdint>
#include <string>

namespace asio_peer {

// run_echo_server() listens on `addr` (IP:PORT; port 0 for any) with `threads` io_contexts,
// prints the bound address on the first line of standard output and echoes lines until SIGINT
// or SIGTERM, blocking the calling thread. Returns the exit status; throws for an address it
// cannot listen on.
int run_echo_server(const std::string& addr, std::uint64_t threads);

}  // namespace asio_peer
