// The server of the echo workload, on Switchyard, written as examples/echo_server.cpp is.
#pragma once

#include "options.hpp"

namespace switchyard::bench {

// run_echo_server() listens on --addr, prints the bound address as the first line of standard
// output, and echoes every line each connection sends, a task per connection spawned with no
// hint, until SIGINT, SIGTERM or (with --until-stdin-eof) the end of standard input; then it
// cancels what is in flight and prints on standard error where the runtime placed each kind.
// Returns the exit status. Blocks; call from the main thread before any other thread starts.
// Throws UsageError when --addr cannot be listened on, ConfigError for a bad config.
int run_echo_server(const ServerOptions& options);

}  // namespace switchyard::bench
