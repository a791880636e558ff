// pingpong: two tasks pass a number back and forth over two rendezvous channels (capacity 0)
// pingpong_rounds times; the peer is two goroutines on unbuffered channels. Each round trip is
// two hand-offs, each a suspension of one task and a wake-up of the other. The figure is the
// makespan, and `round_trip_ns` the mean round trip. The checksum is the sum of the numbers
// the echoing task saw, 0 .. rounds - 1.
#include <cstdint>
#include <exception>
#include <string>

#include <switchyard/channel.hpp>
#include <switchyard/future.hpp>

#include "workload.hpp"

namespace switchyard::bench {

Outcome run_pingpong(const BenchOptions& options, Runtime& runtime) {
  const Hint hint = hint_for(options.placement, Placement::fiber);
  const auto rounds = static_cast<std::uint64_t>(options.pingpong_rounds);
  Channel<std::uint64_t> ping(0);
  Channel<std::uint64_t> pong(0);
  Outcome out;
  out.tasks = 2;
  out.start = Clock::now();
  Future<std::uint64_t> echo = runtime.spawn(
      "pingpong",
      [&] {
        std::uint64_t sum = 0;
        for (std::uint64_t v : ping) {
          sum += v;
          pong.send(v);
        }
        return sum;
      },
      hint);
  Future<void> driver = runtime.spawn(
      "pingpong",
      [&] {
        for (std::uint64_t i = 0; i < rounds; ++i) {
          ping.send(i);
          pong.receive();
        }
        ping.close();
      },
      hint);
  try {
    driver.get();
    out.checksum = echo.get();
    out.task_done(out.start, Clock::now());
    if (out.checksum != rounds * (rounds - 1) / 2) {
      out.errors.record("pingpong: the echoing task saw " + std::to_string(out.checksum) +
                        ", want " + std::to_string(rounds * (rounds - 1) / 2));
    }
  } catch (const std::exception& e) {
    ping.close();
    out.errors.record(e.what());
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(out.end - out.start);
  out.extra["pingpong_rounds"] = rounds;
  out.extra["round_trip_ns"] = static_cast<double>(elapsed.count()) / static_cast<double>(rounds);
  return out;
}

}  // namespace switchyard::bench
