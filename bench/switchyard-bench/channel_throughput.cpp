// channel: 4 sender tasks pass channel_values numbers in all (each its share) through one
// channel of channel_capacity (1,024 by default) to 4 receiver tasks, which drain it until it
// is closed; the peer does the same with goroutines and a buffered Go channel. The figure is
// the makespan; the checksum is the sum of the values received, 0 .. values - 1.
#include <array>
#include <cstdint>
#include <exception>
#include <string>

#include <switchyard/channel.hpp>
#include <switchyard/future.hpp>
#include <switchyard/latch.hpp>

#include "workload.hpp"

namespace switchyard::bench {

namespace {
constexpr std::uint64_t kSenders = 4;
constexpr std::uint64_t kReceivers = 4;
}  // namespace

Outcome run_channel(const BenchOptions& options, Runtime& runtime) {
  const Hint hint = hint_for(options.placement, Placement::fiber);
  const auto values = static_cast<std::uint64_t>(options.channel_values);
  Channel<std::uint64_t> channel(static_cast<std::size_t>(options.channel_capacity));
  Latch senders_done(static_cast<std::ptrdiff_t>(kSenders));
  Outcome out;
  out.tasks = kSenders + kReceivers;
  out.start = Clock::now();
  std::array<Future<void>, kSenders> senders;
  for (std::uint64_t s = 0; s < kSenders; ++s) {
    senders[s] = runtime.spawn(
        "channel-send",
        [&, s] {
          for (std::uint64_t v = s; v < values; v += kSenders) channel.send(v);
          senders_done.count_down();
          if (senders_done.try_wait()) channel.close();
        },
        hint);
  }
  std::array<Future<std::uint64_t>, kReceivers> receivers;
  for (auto& r : receivers) {
    r = runtime.spawn(
        "channel-receive",
        [&] {
          std::uint64_t sum = 0;
          for (std::uint64_t v : channel) sum += v;
          return sum;
        },
        hint);
  }
  try {
    for (auto& s : senders) s.get();
    for (auto& r : receivers) out.checksum += r.get();
    out.task_done(out.start, Clock::now());
    if (out.checksum != values * (values - 1) / 2) {
      out.errors.record("channel: the receivers summed " + std::to_string(out.checksum) +
                        ", want " + std::to_string(values * (values - 1) / 2));
    }
  } catch (const std::exception& e) {
    channel.close();
    out.errors.record(e.what());
  }
  out.extra["channel_values"] = values;
  out.extra["channel_capacity"] = options.channel_capacity;
  return out;
}

}  // namespace switchyard::bench
