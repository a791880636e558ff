// What the benchmark process has used: CPU time and memory.
#pragma once

#include <cstdint>

namespace switchyard::bench {

// ProcessUsage is the process's CPU time (user + system) and its peak resident set so far.
struct ProcessUsage {
  double cpu_s = 0;
  std::int64_t max_rss_kb = 0;
};

// process_usage() reads getrusage(RUSAGE_SELF), as the Go peer does. Never blocks.
ProcessUsage process_usage() noexcept;

// resident_kb() is the process's resident set now, from /proc/self/statm; 0 if unreadable.
// Reads a file, but /proc answers at once.
std::int64_t resident_kb() noexcept;

}  // namespace switchyard::bench
