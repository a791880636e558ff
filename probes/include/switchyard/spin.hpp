// spin(): the CPU kernel of the benchmark suite (shared/BENCHMARKS.md).
#pragma once

#include <cstdint>

namespace switchyard {

// spin() is a xorshift walk from 2 * seed + 1 whose values are summed with a multiplier, all
// on wrapping unsigned 64-bit arithmetic: iters rounds of pure computation, no memory
// traffic. The sum of spin(i, 200000) for i in [0, 20) is 12944723528927218710, the suite's
// test vector. Header-only, so the peers that link nothing of Switchyard run the same code.
// Never blocks; any thread.
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

}  // namespace switchyard
