// The config loader, from TOML text (Config::from_string, which Config::from_file reads files
// through). A text is either accepted, and then every value is within the bounds that
// examples/config/switchyard.toml documents, or refused with a ConfigError whose every
// problem names the source.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <switchyard/config.hpp>

#include "require.hpp"

namespace {

using switchyard::fuzz::require;

constexpr std::string_view kSource = "fuzz.toml";

bool share(double value) {
  return value >= 0 && value <= 1;
}  // NaN is not one

void check_bounds(const switchyard::Config& c) {
  const auto& e = c.executors;
  require(e.blocking_max >= 1 && e.blocking_min <= e.blocking_max, "blocking pool bounds");
  require(e.stack_kib >= 16, "stack_kib below 16");
  require(e.stall_threshold.count() >= 1 && e.shard_inflight >= 1, "zero stall or in-flight");
  require(e.blocking_idle.count() >= 0 && e.shutdown_grace.count() >= 0, "negative duration");
  const auto& p = c.policy;
  require(p.rules.min_samples >= 1, "min_samples below 1");
  require(share(p.rules.cpu_share) && share(p.rules.blocked_share) && share(p.rules.hysteresis) &&
              share(p.cost.hysteresis) && share(p.explore.share),
          "a share outside 0..1");
  require(p.explore.shift >= 0, "explore.shift below 0");
  require(c.profiling.sample_every >= 1 && c.profiling.count_every >= 1, "a zero period");
  for (const auto& [name, kind] : c.kinds) {
    require(!name.empty(), "an empty kind name");
    require(!kind.isolate || !kind.placement || *kind.placement == switchyard::Placement::shard,
            "an isolated kind pinned outside the shards");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto config = switchyard::Config::from_string(text, kSource);
    require(config.source == kSource, "an accepted config does not name its source");
    check_bounds(config);
  } catch (const switchyard::ConfigError& e) {
    require(!e.problems().empty(), "a ConfigError without a problem");
    for (const auto& problem : e.problems()) {
      require(problem.file == kSource, "a problem that does not name the source");
      require(!problem.reason.empty(), "a problem without a reason");
    }
  }
  return 0;
}
