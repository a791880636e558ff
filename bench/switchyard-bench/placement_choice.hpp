// PlacementChoice: the --placement flag, where a run puts its tasks.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <switchyard/hint.hpp>
#include <switchyard/placement.hpp>

namespace switchyard::bench {

// PlacementChoice says who places a run's tasks: the runtime (adaptive), the command line
// (forced: every task onto one executor), or the benchmark's author (oracle: each kind where
// it belongs, by hand).
struct PlacementChoice {
  enum class Mode : std::uint8_t { adaptive, forced, oracle };

  Mode mode = Mode::adaptive;
  Placement forced = Placement::fiber;  // the executor every task goes to under Mode::forced
};

// to_string() is the flag value naming `choice`: "adaptive", "oracle" or the forced
// placement's name.
std::string_view to_string(PlacementChoice choice) noexcept;

// parse_placement_choice() is the inverse of to_string(); nullopt for any other text. It
// accepts "shard", which the caller must refuse for workloads that spawn() callables: only
// registered tasks can run in a shard.
std::optional<PlacementChoice> parse_placement_choice(std::string_view name) noexcept;

// hint_for() is the hint for a task of a kind that belongs on `belongs`: none under adaptive,
// `belongs` under oracle, else the forced executor.
Hint hint_for(PlacementChoice choice, Placement belongs) noexcept;

}  // namespace switchyard::bench
