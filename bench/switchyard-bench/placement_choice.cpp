#include "placement_choice.hpp"

namespace switchyard::bench {

std::string_view to_string(PlacementChoice choice) noexcept {
  switch (choice.mode) {
    case PlacementChoice::Mode::adaptive:
      return "adaptive";
    case PlacementChoice::Mode::oracle:
      return "oracle";
    case PlacementChoice::Mode::forced:
      return switchyard::to_string(choice.forced);
  }
  return "?";
}

std::optional<PlacementChoice> parse_placement_choice(std::string_view name) noexcept {
  if (name == "adaptive") return PlacementChoice{};
  if (name == "oracle") return PlacementChoice{.mode = PlacementChoice::Mode::oracle};
  const std::optional<Placement> forced = parse_placement(name);
  if (!forced) return std::nullopt;
  return PlacementChoice{.mode = PlacementChoice::Mode::forced, .forced = *forced};
}

Hint hint_for(PlacementChoice choice, Placement belongs) noexcept {
  if (choice.mode == PlacementChoice::Mode::adaptive) return {};
  return on(choice.mode == PlacementChoice::Mode::oracle ? belongs : choice.forced);
}

}  // namespace switchyard::bench
