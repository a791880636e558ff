// skynet: a tree of tasks ten wide with skynet_leaves leaves (1,000,000 leaves: 1,111,111
// tasks). Every inner task spawns its ten children from inside itself, with no hint, and sums
// what they return; leaf i returns i, so the root returns the sum of 0 .. leaves - 1, which
// the workload checks. The checksum is that sum; p50 and p99 are the root's latency. How often
// the runtime moved the kind during the run is in the result's `kinds.skynet.moves`.
#include <array>
#include <cstdint>
#include <exception>
#include <string>

#include <switchyard/future.hpp>

#include "workload.hpp"

namespace switchyard::bench {

namespace {

constexpr std::uint64_t kWidth = 10;

std::uint64_t skynet(Runtime& runtime, Hint hint, std::uint64_t first, std::uint64_t leaves) {
  if (leaves == 1) return first;
  const std::uint64_t each = leaves / kWidth;
  std::array<Future<std::uint64_t>, kWidth> children;
  for (std::uint64_t i = 0; i < kWidth; ++i) {
    children[i] = runtime.spawn(
        "skynet",
        [&runtime, hint, sub = first + i * each, each] { return skynet(runtime, hint, sub, each); },
        hint);
  }
  std::uint64_t sum = 0;
  for (Future<std::uint64_t>& child : children) sum += child.get();
  return sum;
}

}  // namespace

Outcome run_skynet(const BenchOptions& options, Runtime& runtime) {
  const Hint hint = hint_for(options.placement, Placement::fiber);
  const auto leaves = static_cast<std::uint64_t>(options.skynet_leaves);
  Outcome out;
  // Every level holds ten times the one above: leaves + leaves / 10 + ... + 1.
  for (std::uint64_t level = leaves; level > 0; level /= kWidth) out.tasks += level;
  out.start = Clock::now();
  Future<std::uint64_t> root = runtime.spawn(
      "skynet", [&runtime, hint, leaves] { return skynet(runtime, hint, 0, leaves); }, hint);
  try {
    out.checksum = root.get();
    out.task_done(out.start, Clock::now());
    const std::uint64_t want = leaves * (leaves - 1) / 2;
    if (out.checksum != want) {
      out.errors.record("skynet: the root returned " + std::to_string(out.checksum) + ", want " +
                        std::to_string(want));
    }
  } catch (const std::exception& e) {
    out.errors.record(e.what());
  }
  out.extra["skynet_leaves"] = leaves;
  return out;
}

}  // namespace switchyard::bench
