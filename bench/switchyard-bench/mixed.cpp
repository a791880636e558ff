// mixed: cpu, fastio and slowio at once, as the Go peer runs them: each part is its own
// workload's run, started from a common start on a thread of its own (a run blocks its thread
// until its tasks have finished), every task spawned through the same API. Each part hints its
// kind as --placement says: nothing under adaptive, where it belongs under oracle, the forced
// executor otherwise. A part's makespan is measured from the common start; the whole is the
// parts together, its checksum their wrapping sum, and `parts` gives each one's summary.
#include <array>
#include <cstddef>
#include <functional>
#include <future>
#include <string_view>
#include <utility>

#include "result_json.hpp"
#include "workload.hpp"

namespace switchyard::bench {

namespace {

struct Part {
  std::string_view name;
  Outcome (*run)(const BenchOptions& options, Runtime& runtime);
};

constexpr std::array kParts{
    Part{"cpu", run_cpu},
    Part{"fastio", run_fastio},
    Part{"slowio", run_slowio},
};

}  // namespace

Outcome run_mixed(const BenchOptions& options, Runtime& runtime) {
  Outcome out;
  out.start = Clock::now();
  std::array<std::future<Outcome>, kParts.size()> running;
  for (std::size_t i = 0; i < kParts.size(); ++i) {
    running[i] =
        std::async(std::launch::async, kParts[i].run, std::cref(options), std::ref(runtime));
  }
  nlohmann::ordered_json parts = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < kParts.size(); ++i) {
    Outcome part = running[i].get();
    // The part started measuring at its own first submission, a little after the common start.
    part.start = out.start;
    parts[kParts[i].name] = summary_json(part);
    out.add(part);
  }
  out.extra["parts"] = std::move(parts);
  return out;
}

}  // namespace switchyard::bench
