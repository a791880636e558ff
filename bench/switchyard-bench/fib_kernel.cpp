#include "fib_kernel.hpp"

namespace switchyard::bench {

std::uint64_t fib_sequential(int n) noexcept {
  return n < 2 ? static_cast<std::uint64_t>(n) : fib_sequential(n - 1) + fib_sequential(n - 2);
}

std::uint64_t fib_tasks(int n, int cutoff) noexcept {
  // Bottom up: calls(k) = 1 at or below the cutoff, else 1 + calls(k - 1) + calls(k - 2).
  std::uint64_t below = 1;     // calls(k - 2)
  std::uint64_t previous = 1;  // calls(k - 1)
  for (int k = 2; k <= n; ++k) {
    const std::uint64_t calls = k <= cutoff ? 1 : 1 + previous + below;
    below = previous;
    previous = calls;
  }
  return previous;
}

}  // namespace switchyard::bench
