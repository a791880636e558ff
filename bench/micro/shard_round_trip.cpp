// A shard round trip of a trivial task, beside its floor, in one run.
//
// Floor: a raw socketpair ping-pong between two processes, each message the size of a frame
// header (32 bytes): one write and one blocking read each way, nothing else. Switchyard: the
// same trivial registered task submitted to a shard and its future waited for, one call at a
// time, from a plain thread and from a task on the fiber executor; `unmeasured` turns
// per-task measurement off, so the difference is what measurement costs.
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <limits>

#include <benchmark/benchmark.h>

#include <switchyard/switchyard.hpp>

#include "bench_config.hpp"

namespace sy = switchyard;

namespace {

SWITCHYARD_TASK(trivial, ()->void) {}

// read_exactly() reads `size` bytes or fails the benchmark.
bool read_exactly(int fd, char* at, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::read(fd, at, size);
    if (n <= 0) return false;
    at += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

void raw_socketpair_ping_pong(benchmark::State& state) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    state.SkipWithError("socketpair failed");
    return;
  }
  std::array<char, 32> message{};
  const pid_t echo = fork();
  if (echo == 0) {
    ::close(fds[0]);
    while (read_exactly(fds[1], message.data(), message.size()) &&
           ::write(fds[1], message.data(), message.size()) ==
               static_cast<ssize_t>(message.size())) {
    }
    _exit(0);
  }
  ::close(fds[1]);
  for (auto _ : state) {
    if (::write(fds[0], message.data(), message.size()) != static_cast<ssize_t>(message.size()) ||
        !read_exactly(fds[0], message.data(), message.size())) {
      state.SkipWithError("the echo process went away");
      break;
    }
  }
  ::close(fds[0]);
  ::waitpid(echo, nullptr, 0);
}
BENCHMARK(raw_socketpair_ping_pong)->UseRealTime();

using sy::bench::bench_config;
using sy::bench::Sampling;

// A plain thread submits to a shard and blocks on the future.
void shard_round_trip_from_thread(benchmark::State& state, Sampling sampling) {
  sy::Runtime rt(bench_config(sampling));
  rt.submit(sy::on(sy::Placement::shard), trivial).get();  // start the shards
  for (auto _ : state) rt.submit(sy::on(sy::Placement::shard), trivial).get();
}
BENCHMARK_CAPTURE(shard_round_trip_from_thread, measured, Sampling::timed)->UseRealTime();
BENCHMARK_CAPTURE(shard_round_trip_from_thread, unmeasured, Sampling::unmeasured)->UseRealTime();

// A task on the fiber executor submits to a shard and suspends on the future.
void shard_round_trip_in_task(benchmark::State& state, Sampling sampling) {
  sy::Runtime rt(bench_config(sampling));
  rt.submit(sy::on(sy::Placement::shard), trivial).get();
  rt.spawn(
        "bench",
        [&] {
          for (auto _ : state) rt.submit(sy::on(sy::Placement::shard), trivial).get();
        },
        sy::on(sy::Placement::fiber))
      .get();
}
BENCHMARK_CAPTURE(shard_round_trip_in_task, measured, Sampling::timed)->UseRealTime();
BENCHMARK_CAPTURE(shard_round_trip_in_task, unmeasured, Sampling::unmeasured)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
