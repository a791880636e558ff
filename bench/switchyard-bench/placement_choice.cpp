#include "placement_choice.hpp"

#include <array>
#include <utility>

namespace switchyard::bench {

namespace {

constexpr std::array<std::pair<PlacementChoice, std::string_view>, 5> kNames{{
    {PlacementChoice::adaptive, "adaptive"},
    {PlacementChoice::fiber, "fiber"},
    {PlacementChoice::cpu, "cpu"},
    {PlacementChoice::blocking, "blocking"},
    {PlacementChoice::oracle, "oracle"},
}};

}  // namespace

std::string_view to_string(PlacementChoice choice) noexcept {
  for (const auto& [c, name] : kNames) {
    if (c == choice) return name;
  }
  return "?";
}

std::optional<PlacementChoice> parse_placement_choice(std::string_view name) noexcept {
  for (const auto& [c, n] : kNames) {
    if (n == name) return c;
  }
  return std::nullopt;
}

Hint hint_for(PlacementChoice choice, Placement belongs) noexcept {
  switch (choice) {
    case PlacementChoice::adaptive:
      return {};
    case PlacementChoice::fiber:
      return on(Placement::fiber);
    case PlacementChoice::cpu:
      return on(Placement::cpu);
    case PlacementChoice::blocking:
      return on(Placement::blocking);
    case PlacementChoice::oracle:
      return on(belongs);
  }
  return {};
}

}  // namespace switchyard::bench
