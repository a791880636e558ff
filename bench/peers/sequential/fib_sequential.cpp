// The sequential program of the fib workload: fib(fib_n) by the doubly recursive definition on
// the calling thread, with no tasks and no runtime (the same code the parallel runs use below
// their cutoff), against which fib's speedups are measured.
//
// Usage: fib-sequential fib [--fib-n N]   (--fib-cutoff and --server accepted and ignored)

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "cxx_peer.hpp"
#include "fib_kernel.hpp"

namespace {

int usage() {
  std::fputs("usage: fib-sequential fib [--fib-n N (1..50)]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) != "fib") return usage();
  std::uint64_t n = 40;
  if (!peers::parse_flags(argc, argv, 2,
                          {{"--fib-n", &n}, {"--fib-cutoff", {}}, {"--server", {}}}) ||
      n > switchyard::bench::kMaxFibN) {
    return usage();
  }
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t value = switchyard::bench::fib_sequential(static_cast<int>(n));
  const double makespan =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  peers::print_result({"fib", "sequential", 1, makespan, makespan * 1e3, makespan * 1e3, value});
  return 0;
}
