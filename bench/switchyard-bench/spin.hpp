// spin(): the CPU kernel of BENCHMARKS.md, the work every CPU-bound workload's task does.
#pragma once

#include <cstdint>

namespace switchyard::bench {

// spin() is the benchmark's CPU kernel, a xorshift walk from 2 * seed + 1 whose values are
// summed, all on wrapping unsigned 64-bit arithmetic: iters rounds of pure computation, no
// memory traffic. Never blocks. The sum of spin(i, 200000) for i in [0, 20) is
// 12944723528927218710, BENCHMARKS.md's test vector.
inline std::uint64_t spin(std::uint64_t seed, std::uint64_t iters) noexcept {
  std::uint64_t x = 2 * seed + 1;
  std::uint64_t acc = 0;
  for (std::uint64_t n = 0; n < iters; ++n) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    acc += x * 0x2545F4914F6CDD1DULL;
  }
  return acc;
}

}  // namespace switchyard::bench
