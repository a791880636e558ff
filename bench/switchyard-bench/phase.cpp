// phase: phase_tasks tasks of one kind, "phase", whose behaviour changes half way: a kind the
// runtime has placed and must move. Task i < phase_tasks / 2 opens a connection through
// Switchyard's fiber-aware sockets and makes one request with delay phase_delay_us (reply 64
// bytes), as a slowio task does: it belongs on the fibers. Task i >= phase_tasks / 2 computes
// spin(i, iters): it belongs on the CPU pool. Under oracle each task is hinted by its phase;
// under adaptive none is, and the figures say how soon the runtime noticed.
//
// The tasks are spawned in order from this thread through a closed loop, at most phase_window
// in flight: once the window is full, the next is spawned when the oldest has finished. So the
// kind changes while the runtime is still measuring it, and a placement decided from the
// latest measurements reaches the tasks spawned after it; spawned all at once, every task
// would be placed before the first had finished.
//
// Each task reports the executor it finished on. second_phase_on_fiber_share is the share of
// the second phase's tasks that finished on the fiber executor; moved_after_tasks is how many
// of the second phase's tasks, in submission order, came before the kind left the fibers for
// good (one past the last that finished on them; a policy's trial elsewhere does not count as
// the move), and moved_within_share that count over the second phase's size. A task that
// failed (counted in `errors`) finished nowhere. The checksum is the bytes received plus
// the wrapping sum of the spin() results.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <switchyard/net/socket.hpp>
#include <switchyard/spin.hpp>
#include <switchyard/this_task.hpp>

#include "protocol.hpp"
#include "slow_request.hpp"
#include "timed_tasks.hpp"
#include "workload.hpp"

namespace switchyard::bench {

namespace {

// PhaseResult is what a task returns: its share of the checksum and the executor it
// finished on.
struct PhaseResult {
  std::uint64_t value = 0;
  std::optional<Placement> finished_on;
};

// one_slow_request() is a first-phase task's work: one request on a connection of its own.
// Returns the bytes received.
std::uint64_t one_slow_request(const std::string& server, const Request& request,
                               std::string_view line) {
  net::Socket socket = net::connect(server, kReplyGrace);
  slow_request(socket, line, reply_timeout(request));
  return kSlowReply;
}

}  // namespace

Outcome run_phase(const BenchOptions& options, Runtime& runtime) {
  const auto count = static_cast<std::size_t>(options.phase_tasks);
  const auto window = static_cast<std::size_t>(options.phase_window);
  const std::size_t half = count / 2;
  const Request request{options.phase_delay_us, kSlowReply};
  const std::string line = request_line(request);
  TimedTasks<PhaseResult> tasks;
  tasks.reserve(count);
  std::vector<std::optional<Placement>> finished_on(count);

  Outcome out;
  const auto on_value = [&](std::size_t i, const PhaseResult& r) {
    out.checksum += r.value;
    finished_on[i] = r.finished_on;
  };
  out.start = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    if (tasks.uncollected() == window) tasks.collect_next(out, on_value);
    const bool slow = i < half;
    tasks.spawn(runtime, "phase",
                hint_for(options.placement, slow ? Placement::fiber : Placement::cpu),
                [&options, &request, &line, i, slow] {
                  return PhaseResult{slow ? one_slow_request(options.server, request, line)
                                          : spin(i, options.iters),
                                     this_task::placement()};
                });
  }
  tasks.collect(out, on_value);

  const auto second = std::span(finished_on).subspan(half);
  const auto on_fiber = std::count(second.begin(), second.end(), Placement::fiber);
  const auto last_on_fiber = std::find(second.rbegin(), second.rend(), Placement::fiber);
  const auto moved_after = static_cast<std::size_t>(second.rend() - last_on_fiber);
  out.extra["second_phase_on_fiber_share"] =
      static_cast<double>(on_fiber) / static_cast<double>(second.size());
  out.extra["moved_after_tasks"] = moved_after;
  out.extra["moved_within_share"] =
      static_cast<double>(moved_after) / static_cast<double>(second.size());
  return out;
}

}  // namespace switchyard::bench
