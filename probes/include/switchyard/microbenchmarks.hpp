// Microbenchmarks: the calibration's measurements, each needing nothing of the runtime.
#pragma once

#include <switchyard/machine_model.hpp>
#include <switchyard/spin.hpp>

#include <cstdint>

namespace switchyard {

// Each measure_*() runs a few short rounds after one warm-up round and gives the median
// round's cost per operation, or Figure::missing() with the reason when it cannot run here.
// Each blocks for a few to a few tens of milliseconds, and may be called from any thread;
// the fiber ones run on a thread of their own so that the caller's Boost.Fiber scheduler (if
// any) is left alone.

// measure_fiber_switch_ns(): two Boost.Fiber fibers yielding to each other on one thread,
// under Boost's default round_robin scheduler.
Figure measure_fiber_switch_ns();

// measure_fiber_spawn_join_ns(): start a Boost.Fiber fiber that returns at once and join it,
// one after another on one thread (stack allocation included).
Figure measure_fiber_spawn_join_ns();

// measure_syscall_ns(): syscall(SYS_getppid), which no libc or vDSO caches.
Figure measure_syscall_ns();

// measure_process_round_trip_ns(): 1-byte ping-pong over a socketpair with a forked child.
// Safe in a multi-threaded program: the child only calls recv(), send() and _exit(). The
// child is reaped before it returns.
Figure measure_process_round_trip_ns();

// measure_serialize_ns_per_byte(): framing a 64 KiB payload as a 4-byte length prefix plus a
// memcpy of the bytes into a reused buffer, per byte. Not a serialization library: the floor
// that any shard transport pays.
Figure measure_serialize_ns_per_byte();

// measure_spin_iters_per_second(): spin() iterations per second on the calling thread's core.
Figure measure_spin_iters_per_second();

}  // namespace switchyard
