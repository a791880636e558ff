#include <array>

#include "workload.hpp"

namespace switchyard::bench {

namespace {

constexpr std::array kWorkloads{
    Workload{"cpu", "cpu_tasks CPU tasks, task i computing spin(i, iters)", false, run_cpu},
    Workload{"fastio",
             "fast_requests requests, one task each, over fast_conns persistent blocking "
             "connections with a short server delay",
             true, run_fastio},
    Workload{"slowio",
             "slow_conns connections at once through Switchyard's sockets, each making "
             "slow_requests requests with a long server delay",
             true, run_slowio},
    Workload{"mixed",
             "cpu, fastio and slowio at once from a common start, each part's kind placed as "
             "--placement says; reports each part beside the whole",
             true, run_mixed},
    Workload{"phase",
             "phase_tasks tasks of one kind, at most phase_window in flight: the first half "
             "each makes one slow request on a connection of its own, the second half computes "
             "spin(i, iters); reports how soon the second half left the fiber executor",
             true, run_phase},
    Workload{"lock",
             "lock_tasks CPU tasks of spin(i, iters), each inside one process-wide mutex: "
             "threads serialize on it, shard processes each have their own",
             false, run_lock, true},
    Workload{"stall",
             "fibers ticking every 1 ms beside tasks that block their thread in usleep for "
             "200 ms; reports how late the ticks ran",
             false, run_stall},
    Workload{"tcp-floor",
             "slowio's floor: slow_conns loopback connections, one request each, through "
             "blocking calls and no runtime; the kernel's CPU per connection bounds slowio",
             false, run_tcp_floor},
    Workload{"fib",
             "fork-join fib(fib_n): every call above fib_cutoff spawns its two children from "
             "inside its task and waits for them, the others compute sequentially",
             false, run_fib},
    Workload{"skynet",
             "a ten-wide tree of tasks with skynet_leaves leaves: each inner task spawns its ten "
             "children and sums them, leaf i returns i",
             false, run_skynet},
    Workload{"pingpong",
             "two tasks pass a number back and forth over two rendezvous channels "
             "pingpong_rounds times",
             false, run_pingpong},
    Workload{"channel",
             "4 sender tasks pass channel_values numbers through one channel of "
             "channel_capacity to 4 receiver tasks",
             false, run_channel},
    Workload{"mutex",
             "mutex_tasks tasks each increment one counter mutex_increments times under one "
             "switchyard::Mutex",
             false, run_mutex},
};

}  // namespace

std::span<const Workload> workloads() noexcept {
  return kWorkloads;
}

const Workload* find_workload(std::string_view name) noexcept {
  for (const Workload& w : kWorkloads) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

}  // namespace switchyard::bench
