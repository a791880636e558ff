// run_slowio(): the slowio workload (BENCHMARKS.md) as a C++ team writes it with Boost.Asio.
#pragma once

#include <cstdint>
#include <string>

#include "io_contexts.hpp"

namespace asio_peer {

// SlowioOptions are slowio's flags, with the defaults of switchyard-bench and the Go peer.
struct SlowioOptions {
  std::string server;  // the delay server, IP:PORT
  std::uint64_t conns = 10000;
  std::uint64_t requests = 2;
  std::uint64_t delay_us = 1000000;
  std::uint64_t threads = default_threads();
};

// run_slowio() opens options.conns connections to the delay server at once, a coroutine each,
// spread over one io_context per thread; each makes options.requests requests one after the
// other, each for 64 bytes after options.delay_us. Blocks the calling thread until all have
// finished. Prints the JSON line of the run and returns
// 0, or says on standard error how many connections failed and why the first did, naming the
// server, and returns 1. Throws std::invalid_argument for a flag outside its bounds, a server
// address that does not parse or more connections than the open-file limit allows.
int run_slowio(const SlowioOptions& options);

}  // namespace asio_peer
