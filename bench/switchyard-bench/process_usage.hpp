// What the benchmark process has used: CPU time and memory.
#pragma once

#include <cstdint>

namespace switchyard::bench {

// ProcessUsage is the process's CPU time (user + system) and its peak resident set so far,
// twice: max_rss_kb as getrusage() gives it, which counts the pages of the process that
// exec'd this program too (a Python parent's 17 MB), and vm_hwm_kb, this program's own peak
// since exec (VmHWM in /proc/self/status; 0 if unreadable), which a small peak needs.
struct ProcessUsage {
  double cpu_s = 0;
  std::int64_t max_rss_kb = 0;
  std::int64_t vm_hwm_kb = 0;
};

// process_usage() reads getrusage(RUSAGE_SELF) and /proc/self/status, as the Go peer does.
// Reads a file, but /proc answers at once.
ProcessUsage process_usage() noexcept;

// resident_kb() is the process's resident set now, from /proc/self/statm; 0 if unreadable.
// Reads a file, but /proc answers at once.
std::int64_t resident_kb() noexcept;

}  // namespace switchyard::bench
