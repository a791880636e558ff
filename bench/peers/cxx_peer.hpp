// What the C++ peers share: their command line ("--name value" or "--name=value", as the other
// peers take it) and the JSON line a run prints (README.md, Output).
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "process_usage.hpp"

namespace peers {

// Flag is one flag a peer takes and where its value goes; a flag with no destination is
// accepted and ignored, so that one command line serves every peer.
struct Flag {
  std::string_view name;
  std::variant<std::monostate, std::uint64_t*, std::string*> value;
};

// parse_flags() reads argv[first..argc) into `flags`. Returns false for an unknown flag, a
// missing value or a number that does not parse.
inline bool parse_flags(int argc, char** argv, int first, std::initializer_list<Flag> flags) {
  for (int a = first; a < argc; ++a) {
    std::string_view name = argv[a];
    std::string value;
    if (const auto eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (a + 1 < argc) {
      value = argv[++a];
    } else {
      return false;
    }
    const Flag* flag = nullptr;
    for (const Flag& f : flags) {
      if (f.name == name) flag = &f;
    }
    if (flag == nullptr) return false;
    try {
      if (auto* const* number = std::get_if<std::uint64_t*>(&flag->value)) {
        std::size_t used = 0;
        **number = std::stoull(value, &used);
        if (used != value.size()) return false;
      } else if (auto* const* text = std::get_if<std::string*>(&flag->value)) {
        **text = value;
      }
    } catch (const std::logic_error&) {
      return false;
    }
  }
  return true;
}

// RunResult is what a run prints beside the process's CPU time and peak resident set.
struct RunResult {
  const char* workload;
  const char* placement;
  std::uint64_t tasks = 0;
  double makespan_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::uint64_t checksum = 0;
};

// print_result() prints `r` as one JSON line on standard output, with cpu_s, max_rss_kb and
// vm_hwm_kb read as switchyard-bench reads them (process_usage.cpp, which the peer must
// compile).
inline void print_result(const RunResult& r) {
  const switchyard::bench::ProcessUsage usage = switchyard::bench::process_usage();
  std::printf("{\"workload\":\"%s\",\"placement\":\"%s\",\"tasks\":%" PRIu64
              ",\"makespan_s\":%.6f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"checksum\":%" PRIu64
              ",\"cpu_s\":%.6f,\"max_rss_kb\":%" PRId64 ",\"vm_hwm_kb\":%" PRId64 "}\n",
              r.workload, r.placement, r.tasks, r.makespan_s, r.p50_ms, r.p99_ms, r.checksum,
              usage.cpu_s, usage.max_rss_kb, usage.vm_hwm_kb);
  std::fflush(stdout);
}

}  // namespace peers
