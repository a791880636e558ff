// The delay server of BENCHMARKS.md, on Switchyard's fibers.
#pragma once

#include "options.hpp"

namespace switchyard::bench {

// run_delay_server() listens on --addr, prints the bound address as the first line of
// standard output, and serves every connection in its own fiber task until SIGINT, SIGTERM
// or (with --until-stdin-eof) the end of standard input; then it cancels what is in flight
// and prints its totals on standard error. Returns the exit status. Blocks; call from the
// main thread before any other thread starts, since it blocks SIGINT and SIGTERM for the
// threads to come. Throws UsageError when --addr cannot be listened on, ConfigError for a
// bad config.
int run_delay_server(const ServerOptions& options);

}  // namespace switchyard::bench
