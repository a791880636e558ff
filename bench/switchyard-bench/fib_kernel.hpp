// The computation of the fork-join fib workload, shared by Switchyard's run, the oneTBB peer and
// the sequential program, so that all three run the same machine code below the cutoff.
#pragma once

#include <cstdint>

namespace switchyard::bench {

// kMaxFibN bounds --fib-n: fib(93) overflows 64 bits long before, but fib(50) computed the
// doubly recursive way already takes a minute.
inline constexpr int kMaxFibN = 50;

// fib_sequential() is fib(n) by the doubly recursive definition, no tasks: what each call at or
// below the cutoff computes, and the whole of the sequential program. Requires 0 <= n <=
// kMaxFibN. Never blocks.
std::uint64_t fib_sequential(int n) noexcept;

// fib_tasks() is how many calls fork-join fib(n) makes with `cutoff`, each a task: one for the
// root, and two children for every call whose n is above the cutoff. Requires 0 <= n <=
// kMaxFibN and cutoff >= 1 (fib(1) has no two children); the count fits in 64 bits. Never
// blocks.
std::uint64_t fib_tasks(int n, int cutoff) noexcept;

}  // namespace switchyard::bench
